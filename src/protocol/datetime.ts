/**
 * Calendar arithmetic for dates and microsecond timestamps, exact for every year (proleptic
 * Gregorian, as Spark 3+ uses), without Date objects: those lose microseconds and treat years
 * 0-99 specially.
 */

export const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a civil date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The civil date of a day count since 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const DATE_TIME = new RegExp(
  '^\\s*([+-]?\\d{4,6})-(\\d{1,2})-(\\d{1,2})' + // date
  '(?:[T ](\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d{1,9}))?)?)?' + // optional time, fraction up to nanos
  '\\s*(Z|UTC|[+-]\\d{1,2}(?::?\\d{2})?)?\\s*$', // optional zone offset
  'i',
);

export interface ParsedDateTime {
  /** Microseconds since the epoch of the wall-clock reading, as if it were UTC. */
  wallMicros: bigint;
  /** The zone offset in minutes when the text carries one (`Z` is 0). */
  offsetMinutes: number | undefined;
  /** Whether the text has a time of day (else it is a bare date). */
  hasTime: boolean;
  /** Whether fraction digits beyond microseconds are non-zero (they were dropped). */
  subMicros: boolean;
}

/** Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.f…]]][Z|±HH[:MM]]`; undefined when the text is not of that form. */
export function parseDateTime(text: string): ParsedDateTime | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const digits = m[7] ?? '';
  const fraction = BigInt(digits.padEnd(6, '0').slice(0, 6)); // nanoseconds are truncated to micros
  const seconds = BigInt(daysFromCivil(year, month, day)) * 86_400n + BigInt(hour * 3600 + minute * 60 + second);
  const offsetMinutes = parseOffset(m[8]);
  if (offsetMinutes !== undefined && Math.abs(offsetMinutes) > 18 * 60) return undefined; // ISO/Java offsets stop at ±18:00
  return { wallMicros: seconds * 1_000_000n + fraction, offsetMinutes, hasTime: m[4] !== undefined, subMicros: /[1-9]/.test(digits.slice(6)) };
}

/**
 * Epoch microseconds of a timestamp text, the one parser for filter literals, time travel and
 * stream start times. Accepted: `YYYY-MM-DD`, Spark's `YYYY-MM-DD HH:MM:SS[.ffffff]` and ISO
 * `YYYY-MM-DDTHH:MM:SS[.f][Z|±HH:MM]`. Text without a zone is UTC, whatever the process's `TZ`
 * (the same rule as zone-less partition values). With `wallClock` (timestamp_ntz) the reading
 * itself is the value and a zone is ignored. Undefined for other text and for digits below a
 * microsecond, which no Delta timestamp can hold.
 */
export function parseTimestampMicros(text: string, opts: { wallClock?: boolean } = {}): bigint | undefined {
  const parsed = parseDateTime(text);
  if (!parsed || parsed.subMicros) return undefined;
  if (opts.wallClock || parsed.offsetMinutes === undefined) return parsed.wallMicros;
  return parsed.wallMicros - BigInt(parsed.offsetMinutes) * 60_000_000n;
}

/** Days since the epoch of a `YYYY-MM-DD` text; undefined for anything else. */
export function parseDateDays(text: string): number | undefined {
  const parsed = parseDateTime(text);
  if (!parsed || parsed.hasTime || parsed.offsetMinutes !== undefined) return undefined;
  return Number(floorDiv(parsed.wallMicros, MICROS_PER_DAY));
}

/** Epoch microseconds of a JS Date, or undefined for an invalid Date. */
export function microsOfDate(d: Date): bigint | undefined {
  const ms = d.getTime();
  return Number.isNaN(ms) ? undefined : BigInt(ms) * 1000n;
}

/** Milliseconds of epoch microseconds, rounded down (`'floor'`) or up (`'ceil'`). */
export function millisOfMicros(micros: bigint, rounding: 'floor' | 'ceil'): number {
  const q = floorDiv(micros, 1000n);
  return Number(rounding === 'ceil' && q * 1000n !== micros ? q + 1n : q);
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` of epoch milliseconds, for messages; exact beyond the JS Date range too. */
export function formatMillisIso(ms: number): string {
  return `${formatMicros(BigInt(Math.floor(ms)) * 1000n).slice(0, -3)}Z`;
}

/**
 * A timestamp statistic as Spark writes it (PROTOCOL.md "Per-file Statistics"): ISO with
 * milliseconds, the fraction cut down (a reader widens a maximum by 999 µs), `Z` unless
 * `wallClock` (timestamp_ntz). Undefined outside years 0001-9999: other engines parse stats with
 * four-digit years, so such a bound is left out rather than written in a form they misread.
 */
export function formatTimestampStat(micros: bigint, wallClock: boolean): string | undefined {
  const ms = floorDiv(micros, 1000n) * 1000n;
  if (!inStatYears(floorDiv(ms, MICROS_PER_DAY))) return undefined;
  const text = formatMicros(ms).slice(0, -3); // .ffffff -> .fff
  return wallClock ? text : `${text}Z`;
}

/** A date statistic `YYYY-MM-DD`; undefined outside years 0001-9999 (see formatTimestampStat). */
export function formatDateStat(days: number): string | undefined {
  return Number.isSafeInteger(days) && inStatYears(BigInt(days)) ? formatDate(days) : undefined;
}

const DAY_0001_01_01 = BigInt(daysFromCivil(1, 1, 1));
const DAY_10000_01_01 = BigInt(daysFromCivil(10_000, 1, 1));

function inStatYears(days: bigint): boolean {
  return days >= DAY_0001_01_01 && days < DAY_10000_01_01;
}

/** Division rounding toward negative infinity. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

function parseOffset(zone: string | undefined): number | undefined {
  if (zone === undefined) return undefined;
  if (/^(z|utc)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

/** `YYYY-MM-DD` of a day count (years beyond 9999 get a sign, as ISO-8601 expanded years). */
export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** `YYYY-MM-DDTHH:MM:SS.ffffff` (always six fraction digits, no zone suffix) of epoch microseconds. */
export function formatMicros(micros: bigint): string {
  const { date, time, fraction } = splitMicros(micros);
  return `${date}T${time}.${fraction}`;
}

/** `YYYY-MM-DD HH:MM:SS[.f…]` as Spark casts a timestamp to string: fraction trimmed, omitted when zero. */
export function formatMicrosSpark(micros: bigint): string {
  const { date, time, fraction } = splitMicros(micros);
  const trimmed = fraction.replace(/0+$/, '');
  return `${date} ${time}${trimmed === '' ? '' : '.' + trimmed}`;
}

function splitMicros(micros: bigint): { date: string; time: string; fraction: string } {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const secondsOfDay = Number(rest / 1_000_000n);
  const time = `${pad(Math.floor(secondsOfDay / 3600), 2)}:${pad(Math.floor(secondsOfDay / 60) % 60, 2)}:${pad(secondsOfDay % 60, 2)}`;
  return { date: formatDate(Number(days)), time, fraction: pad(Number(rest % 1_000_000n), 6) };
}

function formatYear(year: number): string {
  if (year >= 0 && year <= 9999) return pad(year, 4);
  return (year < 0 ? '-' : '+') + pad(Math.abs(year), 6);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
