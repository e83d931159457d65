import { formatDate } from '../index.js';

// Exact text for scalar values: decimals, doubles, floats, dates, timestamps, bytes.
// Dates and timestamps are computed from the epoch count with integer arithmetic (no JS Date), so
// microseconds and years outside JS Date's range print exactly.

/** 123n, scale 2 -> "1.23"; every digit of the scale is printed, as Spark does. */
export function decimalText(unscaled: bigint, scale: number): string {
  const sign = unscaled < 0n ? '-' : '';
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString();
  if (scale <= 0) return unscaled === 0n ? '0' : sign + digits + '0'.repeat(-scale);
  const padded = digits.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** Shortest text that reads back as the same double; -0 keeps its sign. */
export function numberText(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/** Shortest text that reads back as the same float32 (0.1f prints 0.1, not 0.10000000149011612). */
export function float32Text(x: number): string {
  if (!Number.isFinite(x) || x === 0) return numberText(x);
  for (let p = 1; p < 9; p++) {
    const s = Number(x.toPrecision(p));
    if (Math.fround(s) === x) return String(s);
  }
  return String(x);
}

/** The value of IEEE half-precision bits. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Bytes as lowercase hex, two digits per byte. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Arrow TimeUnit (SECOND, MILLISECOND, MICROSECOND, NANOSECOND) -> units per second. */
export const UNITS_PER_SECOND = [1n, 1_000n, 1_000_000n, 1_000_000_000n];

/** Division rounding toward negative infinity (epoch counts before 1970). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** An epoch count in some unit -> "YYYY-MM-DDTHH:MM:SS[.fraction]", the fraction as wide as the unit. */
export function timestampText(value: bigint, perSecond: bigint): string {
  const perDay = 86_400n * perSecond;
  const days = floorDiv(value, perDay);
  return `${formatDate(Number(days))}T${timeOfDayText(value - days * perDay, perSecond)}`;
}

/** A count of units since midnight -> "HH:MM:SS[.fraction]". */
export function timeOfDayText(sinceMidnight: bigint, perSecond: bigint): string {
  const seconds = Number(sinceMidnight / perSecond);
  const two = (n: number): string => String(n).padStart(2, '0');
  const hms = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  if (perSecond === 1n) return hms;
  const width = perSecond.toString().length - 1;
  return `${hms}.${(sinceMidnight % perSecond).toString().padStart(width, '0')}`;
}
