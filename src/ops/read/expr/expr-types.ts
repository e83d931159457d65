import type { Comparable } from '../filter.js';

/**
 * The type of an expression value, named as Delta primitive types, plus 'void' for NULL. Values
 * are held as in filters: byte/short/integer/float/double/date as numbers, long/timestamp as
 * bigint (micros), decimal as its unscaled bigint, strings, booleans; null is SQL NULL.
 */
export type ExprType = string;
export type Value = Comparable | null;
export type Values = Value[];

const INTEGRAL = ['byte', 'short', 'integer', 'long'];
const INTEGRAL_DIGITS: Record<string, number> = { byte: 3, short: 5, integer: 10, long: 20 };
export const INTEGRAL_RANGE: Record<string, [bigint, bigint]> = {
  byte: [-128n, 127n], short: [-32768n, 32767n], integer: [-2147483648n, 2147483647n], long: [-(2n ** 63n), 2n ** 63n - 1n],
};
export const MAX_DECIMAL_PRECISION = 38;

export function isIntegral(t: ExprType): boolean {
  return INTEGRAL.includes(t);
}

export function isFractional(t: ExprType): boolean {
  return t === 'float' || t === 'double';
}

export function decimalOf(t: ExprType): { precision: number; scale: number } | undefined {
  const m = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

export function decimalType(precision: number, scale: number): ExprType {
  return `decimal(${precision},${scale})`;
}

export function isNumeric(t: ExprType): boolean {
  return isIntegral(t) || isFractional(t) || decimalOf(t) !== undefined;
}

export function isTimestamp(t: ExprType): boolean {
  return t === 'timestamp' || t === 'timestamp_ntz';
}

/** An integral type as the decimal that holds all its values (Spark's DecimalPrecision). */
export function asDecimal(t: ExprType): { precision: number; scale: number } | undefined {
  return decimalOf(t) ?? (isIntegral(t) ? { precision: INTEGRAL_DIGITS[t]!, scale: 0 } : undefined);
}

/** The wider of two numeric types: integral < long < decimal < double. */
export function widerNumeric(a: ExprType, b: ExprType): ExprType {
  if (isFractional(a) || isFractional(b)) return 'double';
  const da = decimalOf(a);
  const db = decimalOf(b);
  if (da || db) {
    const x = asDecimal(a)!;
    const y = asDecimal(b)!;
    const scale = Math.max(x.scale, y.scale);
    const precision = Math.min(MAX_DECIMAL_PRECISION, Math.max(x.precision - x.scale, y.precision - y.scale) + scale);
    return decimalType(precision, scale);
  }
  return INTEGRAL.indexOf(a) >= INTEGRAL.indexOf(b) ? a : b;
}

/**
 * The one type several values (CASE branches, COALESCE arguments, IN lists) take, or undefined
 * when they do not fit together. NULL fits every type; dates widen to timestamps.
 */
export function commonType(types: ExprType[]): ExprType | undefined {
  let out: ExprType = 'void';
  for (const t of types) {
    if (t === 'void' || t === out) continue;
    if (out === 'void') out = t;
    else if (isNumeric(out) && isNumeric(t)) out = widerNumeric(out, t);
    else if ((out === 'date' && isTimestamp(t)) || (t === 'date' && isTimestamp(out))) out = out === 'date' ? t : out;
    else return undefined;
  }
  return out;
}

export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Rescales an unscaled decimal, rounding half away from zero when digits are dropped (Spark HALF_UP). */
export function rescale(v: bigint, from: number, to: number): bigint {
  if (to >= from) return v * pow10(to - from);
  return divideHalfUp(v, pow10(from - to));
}

export function divideHalfUp(n: bigint, d: bigint): bigint {
  const neg = (n < 0n) !== (d < 0n);
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  if ((an % ad) * 2n >= ad) q += 1n;
  return neg ? -q : q;
}

/** The decimal value of unscaled `v` at `scale` as text, e.g. 1234n, 2 -> "12.34". */
export function formatDecimal(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${text}` : text;
}

/** Parses exact decimal text (`12.34`, `-0.5`) to its unscaled value, precision and scale. */
export function parseDecimalText(text: string): { unscaled: bigint; precision: number; scale: number } | undefined {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return undefined;
  const intPart = (m[2] ?? '').replace(/^0+(?=\d)/, '');
  const frac = m[3] ?? '';
  const unscaledAbs = BigInt((intPart || '0') + frac);
  const digits = unscaledAbs.toString().length;
  return { unscaled: m[1] === '-' ? -unscaledAbs : unscaledAbs, precision: Math.max(digits, frac.length, 1), scale: frac.length };
}

/** Number of decimal digits of |v|. */
export function digitCount(v: bigint): number {
  return (v < 0n ? -v : v).toString().length;
}
