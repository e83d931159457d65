import { expressionEvaluationFailed, expressionTypeMismatch } from '../../../errors.js';
import { floorDiv, formatDate, formatMicrosSpark, MICROS_PER_DAY, parseDateDays, parseTimestampMicros } from '../../../protocol/datetime.js';
import {
  decimalOf, formatDecimal, INTEGRAL_RANGE, isIntegral, isNumeric, isTimestamp, parseDecimalText, pow10, rescale,
  type ExprType, type Value, type Values,
} from './expr-types.js';

/** Whether CAST(from AS to) exists (numbers, strings, booleans, dates and timestamps among themselves). */
export function canCast(from: ExprType, to: ExprType): boolean {
  if (from === to || from === 'void' || to === 'string' || from === 'string') return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if ((from === 'boolean' && isNumeric(to)) || (isNumeric(from) && to === 'boolean')) return true;
  if ((from === 'date' || isTimestamp(from)) && (to === 'date' || isTimestamp(to))) return true;
  return false;
}

/** CAST over a column of values. Values that do not fit the target fail (ANSI casts), NULL stays NULL. */
export function castValues(values: Values, from: ExprType, to: ExprType, text: string): Values {
  if (from === to) return values;
  if (!canCast(from, to)) throw expressionTypeMismatch(`${from} cannot be cast to ${to}`, text, `compare or assign values of the same type`);
  const one = castOne(from, to, text);
  return values.map((v) => (v === null || v === undefined ? null : one(v)));
}

function castOne(from: ExprType, to: ExprType, text: string): (v: Comparable) => Value {
  const fail = (v: unknown): never => {
    throw expressionEvaluationFailed(`the ${from} value ${typeof v === 'string' ? `'${v}'` : String(v)} does not fit ${to}`, text);
  };
  if (to === 'string') return (v) => toText(v, from);
  if (from === 'string') return fromText(to, fail);
  if (from === 'boolean') return (v) => castOne('integer', to, text)(v ? 1 : 0);
  if (to === 'boolean') return (v) => (typeof v === 'bigint' ? v !== 0n : v !== 0);
  if (from === 'date') return isTimestamp(to) ? (v) => BigInt(v as number) * MICROS_PER_DAY : fail;
  if (isTimestamp(from)) return to === 'date' ? (v) => Number(floorDiv(v as bigint, MICROS_PER_DAY)) : isTimestamp(to) ? (v) => v : fail;
  // Numbers: to double exactly as JS numbers; to integral truncating toward zero; to decimal half-up.
  const fromDec = decimalOf(from);
  const toDec = decimalOf(to);
  if (to === 'double' || to === 'float') {
    return fromDec ? (v) => Number(formatDecimal(v as bigint, fromDec.scale)) : (v) => (to === 'float' ? Math.fround(Number(v)) : Number(v));
  }
  if (isIntegral(to)) {
    const [lo, hi] = INTEGRAL_RANGE[to]!;
    return (v) => {
      let i: bigint;
      if (fromDec) i = (v as bigint) / pow10(fromDec.scale);
      else if (typeof v === 'number') {
        if (!Number.isFinite(v)) return fail(v);
        i = BigInt(Math.trunc(v));
      } else i = BigInt(v as bigint);
      if (i < lo || i > hi) return fail(v);
      return to === 'long' ? i : Number(i);
    };
  }
  if (toDec) {
    const max = pow10(toDec.precision);
    return (v) => {
      let u: bigint;
      if (fromDec) u = rescale(v as bigint, fromDec.scale, toDec.scale);
      else if (typeof v === 'number' && !Number.isInteger(v)) {
        if (!Number.isFinite(v)) return fail(v);
        const parsed = parseDecimalText(expandExponent(v));
        if (!parsed) return fail(v);
        u = rescale(parsed.unscaled, parsed.scale, toDec.scale);
      } else u = BigInt(v as number | bigint) * pow10(toDec.scale);
      if (u >= max || u <= -max) return fail(v);
      return u;
    };
  }
  return fail;
}

type Comparable = Exclude<Value, null>;

function fromText(to: ExprType, fail: (v: unknown) => never): (v: Comparable) => Value {
  const dec = decimalOf(to);
  return (raw) => {
    const s = String(raw).trim();
    if (to === 'boolean') return /^true$/i.test(s) ? true : /^false$/i.test(s) ? false : fail(raw);
    if (to === 'date') return parseDateDays(s) ?? fail(raw);
    if (isTimestamp(to)) return parseTimestampMicros(s, { wallClock: to === 'timestamp_ntz' }) ?? fail(raw);
    if (to === 'double' || to === 'float') {
      const n = /^[+-]?nan$/i.test(s) ? NaN : /^[+-]?(inf|infinity)$/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : s === '' ? NaN : Number(s);
      if (Number.isNaN(n) && !/nan/i.test(s)) return fail(raw);
      return to === 'float' ? Math.fround(n) : n;
    }
    if (isIntegral(to)) {
      if (!/^[+-]?\d+$/.test(s)) return fail(raw);
      const i = BigInt(s);
      const [lo, hi] = INTEGRAL_RANGE[to]!;
      if (i < lo || i > hi) return fail(raw);
      return to === 'long' ? i : Number(i);
    }
    if (dec) {
      const p = parseDecimalText(s);
      if (!p) return fail(raw);
      const u = rescale(p.unscaled, p.scale, dec.scale);
      if (u >= pow10(dec.precision) || u <= -pow10(dec.precision)) return fail(raw);
      return u;
    }
    return fail(raw);
  };
}

/** Text of a value as Spark's CAST(x AS STRING) writes it for these types (doubles as JS prints them). */
export function toText(v: Comparable, from: ExprType): string {
  const dec = decimalOf(from);
  if (dec) return formatDecimal(v as bigint, dec.scale);
  if (from === 'date') return formatDate(v as number);
  if (isTimestamp(from)) return formatMicrosSpark(v as bigint);
  return String(v);
}

function expandExponent(v: number): string {
  const s = String(v);
  if (!/e/i.test(s)) return s;
  return v.toFixed(20).replace(/0+$/, '');
}
