import { expressionTypeMismatch } from '../../../errors.js';
import { compare } from '../filter.js';
import { castValues } from './cast.js';
import { asDecimal, decimalOf, isFractional, isNumeric, isTimestamp, rescale, type ExprType, type Values } from './expr-types.js';

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * The type both sides of a comparison are brought to: the wider number; timestamps for a date
 * against a timestamp; a date or timestamp for text compared with one (Spark casts the text).
 */
export function comparisonType(a: ExprType, b: ExprType, text: string): ExprType {
  if (a === 'void') return b;
  if (b === 'void' || a === b) return a;
  if (isNumeric(a) && isNumeric(b)) {
    if (isFractional(a) || isFractional(b)) return 'double';
    if (decimalOf(a) || decimalOf(b)) return `decimal(38,${Math.max(asDecimal(a)!.scale, asDecimal(b)!.scale)})`;
    return 'long';
  }
  if ((a === 'date' && isTimestamp(b)) || (b === 'date' && isTimestamp(a))) return a === 'date' ? b : a;
  if (a === 'string' && (b === 'date' || isTimestamp(b))) return b;
  if (b === 'string' && (a === 'date' || isTimestamp(a))) return a;
  throw expressionTypeMismatch(`cannot compare ${a} with ${b}`, text);
}

/** Brings a column of values of type `from` to the comparison type `to` (exact for decimals). */
export function toComparison(values: Values, from: ExprType, to: ExprType, text: string): Values {
  if (from === to || from === 'void') return values;
  const dec = decimalOf(to);
  if (dec) {
    const scale = asDecimal(from)!.scale;
    return values.map((v) => (v === null || v === undefined ? null : rescale(BigInt(v as number | bigint), scale, dec.scale)));
  }
  if (to === 'long' && isNumeric(from)) return values; // number vs bigint compare exactly in JS
  return castValues(values, from, to, text);
}

/** SQL comparison with three-valued logic: NULL on either side gives NULL. */
export function compareValues(op: CompareOp, a: Values, b: Values): Array<boolean | null> {
  const out = new Array<boolean | null>(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || x === undefined || y === null || y === undefined) {
      out[i] = null;
      continue;
    }
    const c = compare(x, y);
    out[i] = op === '=' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
  }
  return out;
}
