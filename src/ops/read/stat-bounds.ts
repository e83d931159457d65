import { parseDateTime, floorDiv, MICROS_PER_DAY } from '../../protocol/datetime.js';
import { JsonNumber } from '../../protocol/lossless-json.js';
import { decimalParts, type DeltaType } from '../../protocol/schema.js';
import type { Comparable } from './filter.js';

const STRING_PREFIX_LENGTH = 32;

/**
 * A stats bound (PROTOCOL.md "Per-file Statistics") in the filters' comparable domain, or
 * undefined when it cannot be trusted as a bound. The rules (spec/reading.md "Statistics"):
 * - integers, longs and decimals are read exactly from the JSON text; a text that may be a
 *   double's rendering of a wider value (a writer that went through a double) is widened by
 *   that double's rounding error, so the bound still holds;
 * - a float/double minimum is used (NaN sorts above every value, so it cannot be below it);
 *   a maximum never is: writers that leave NaN out of it write a finite maximum for a file
 *   holding NaN, and nothing in the stats says which writer it was;
 * - timestamps are written truncated to milliseconds: a maximum is widened by 999 µs;
 * - a string maximum that may have been truncated is not a bound.
 */
export function statValue(raw: unknown, type: DeltaType, isMax: boolean): Comparable | undefined {
  if (raw === undefined || raw === null || typeof type !== 'string') return undefined;
  switch (type) {
    case 'byte': case 'short': case 'integer': {
      const v = integerBound(raw, isMax);
      return v === undefined ? undefined : Number(v);
    }
    case 'long':
      return integerBound(raw, isMax);
    case 'float': case 'double': {
      if (isMax) return undefined;
      const v = floatOf(raw);
      if (v === undefined || Number.isNaN(v)) return undefined; // a NaN minimum says nothing of other values
      // A float's text is its shortest float digits: as a double it may sit above the stored
      // value. A double column may hold files written while it was float (type widening).
      return type === 'float' ? Math.fround(v) : Math.min(v, Math.fround(v));
    }
    case 'date': {
      if (typeof raw !== 'string') return undefined;
      const parsed = parseDateTime(raw);
      return parsed && Number(floorDiv(parsed.wallMicros, MICROS_PER_DAY));
    }
    case 'timestamp': case 'timestamp_ntz': {
      if (typeof raw !== 'string') return undefined;
      const parsed = parseDateTime(raw);
      if (!parsed) return undefined;
      const utc = type === 'timestamp_ntz' || parsed.offsetMinutes === undefined
        ? parsed.wallMicros
        : parsed.wallMicros - BigInt(parsed.offsetMinutes) * 60_000_000n;
      // Writers truncate to milliseconds: a maximum may hide up to 999 more microseconds.
      return isMax ? utc + 999n : utc;
    }
    case 'string':
      if (typeof raw !== 'string') return undefined;
      return isMax && [...raw].length >= STRING_PREFIX_LENGTH ? undefined : raw;
    default: {
      const dec = decimalParts(type);
      if (!dec) return undefined;
      const text = typeof raw === 'number' ? numberText(raw) : raw instanceof JsonNumber ? raw.text : undefined;
      return text === undefined ? undefined : decimalBound(text, dec.scale, isMax, dec.precision > 15);
    }
  }
}

/** An integer bound: exact from its text, rounded outward when the text has a fraction. */
function integerBound(raw: unknown, isMax: boolean): bigint | undefined {
  if (typeof raw === 'bigint') return raw;
  const text = typeof raw === 'number' ? numberText(raw) : raw instanceof JsonNumber ? raw.text : undefined;
  return text === undefined ? undefined : decimalBound(text, 0, isMax, true);
}

/** Exact text of a plain number; undefined when it is not finite or not exactly an integer's double. */
function numberText(v: number): string | undefined {
  if (!Number.isFinite(v)) return undefined;
  return Number.isSafeInteger(v) ? String(v) : JSON.stringify(v);
}

function floatOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (raw instanceof JsonNumber) return raw.toNumber();
  // Spark (Jackson) writes non-finite doubles as strings.
  if (raw === 'NaN') return NaN;
  if (raw === 'Infinity') return Infinity;
  if (raw === '-Infinity') return -Infinity;
  return undefined;
}

const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The unscaled value at `scale` of a JSON number text, rounded down for a minimum and up for
 * a maximum when it has more fraction digits. When `maybeViaDouble` and the text is what a
 * double printer gives for its nearest double (shortest digits, or an integral double's exact
 * digits) and that double may have rounded the value, the bound is widened by the double's
 * rounding error: such a text may come from a writer that converted the value to a double
 * (JavaScript's JSON.stringify, some engines' decimal stats). Other texts are exact.
 */
function decimalBound(text: string, scale: number, isMax: boolean, maybeViaDouble: boolean): bigint | undefined {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return undefined;
  const fraction = m[3] ?? '';
  const digits = (m[2] ?? '') + fraction;
  const exponent = Number(m[4] ?? 0);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return undefined;
  const negative = m[1] === '-';
  let unscaled = BigInt(digits || '0');
  const shift = scale - fraction.length + exponent;
  if (shift >= 0) unscaled *= 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    const rest = unscaled % divisor;
    unscaled /= divisor;
    // Round away from the other bound: down for a minimum, up for a maximum (sign applied below).
    if (rest !== 0n && isMax !== negative) unscaled += 1n;
  }
  if (negative) unscaled = -unscaled;
  const abs = unscaled < 0n ? -unscaled : unscaled;
  // A double holds integers below 2^53 exactly, and its shortest text gives back any decimal of
  // up to 15 digits: only wider values can have been rounded.
  if (maybeViaDouble && abs >= (scale === 0 ? 2n ** 53n : 10n ** 15n) && isDoubleRendering(digits, exponent - fraction.length)) {
    // The text is within half a double step of the double, which is within half a step of the
    // value: together under 2^-52 of it. Widen by 2^-51 of it, in whole units.
    unscaled += (isMax ? 1n : -1n) * (abs / 2n ** 51n);
  }
  return unscaled;
}

/** Whether `digits` x 10^`exp10` is a double printer's text for its nearest double. */
function isDoubleRendering(digits: string, exp10: number): boolean {
  const value = normalized(digits, exp10);
  const nearest = Number(`${digits || '0'}e${exp10}`);
  if (!Number.isFinite(nearest)) return false;
  const [mantissa, exp = '0'] = nearest.toExponential().split('e') as [string, string?];
  const shortest = normalized(mantissa.replace('.', ''), Number(exp) - (mantissa.split('.')[1]?.length ?? 0));
  if (shortest === value) return true;
  return Number.isInteger(nearest) && normalized(BigInt(nearest).toString(), 0) === value;
}

/** A canonical `digits@exponent` key of a decimal value (no leading or trailing zeros). */
function normalized(digits: string, exp10: number): string {
  const trimmed = digits.replace(/^0+/, '');
  const body = trimmed.replace(/0+$/, '');
  return body === '' ? '0' : `${body}@${exp10 + trimmed.length - body.length}`;
}
