import type { Filter, FilterOp, FilterTerm } from '../../src/index.js';
import { decimalOf, type PrimitiveType, type Value } from './filter-model.js';

/**
 * A brute-force filter evaluator, written from the stated semantics (spec/reading.md, "Filter
 * semantics") and nothing in src/: SQL three-valued logic where only true keeps a row; NaN equal
 * to NaN and above every other number; -0 = 0; strings in UTF-8 byte order.
 */
export type Scalar = number | bigint | boolean | string;

/** One term in the model: `value` null means IS NULL (=) / IS NOT NULL (!=); lists may hold null. */
export interface ModelTerm {
  column: string;
  type: PrimitiveType;
  op: FilterOp;
  value: Scalar | null | Array<Scalar | null>;
  /** Pass timestamps as ISO text instead of bigint micros. */
  asText?: boolean;
}
/** OR of ANDs. */
export type ModelFilter = ModelTerm[][];

function order(a: Scalar, b: Scalar): number {
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const an = typeof a === 'number' && a !== a;
  const bn = typeof b === 'number' && b !== b;
  if (an && bn) return 0;
  if (an) return 1;
  if (bn) return -1;
  if (a === b || (a as number) == (b as number)) return 0; // == is exact between number and bigint; -0 == 0
  return (a as number) < (b as number) ? -1 : 1;
}

function termHolds(t: ModelTerm, v: Value): boolean {
  if (t.value === null) return t.op === '=' ? v === null : v !== null;
  if (v === null) return false;
  const x = v as Scalar;
  if (Array.isArray(t.value)) {
    const hit = t.value.some((l) => l !== null && order(x, l) === 0);
    if (t.op === 'in') return hit;
    return !hit && !t.value.includes(null); // x not in (.., null) is unknown unless x is in the list
  }
  const c = order(x, t.value);
  switch (t.op) {
    case '=': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
    default: throw new Error(`op ${t.op} needs a list`);
  }
}

/** Indices of the rows (columns as arrays of model values) the filter keeps. */
export function matchingRows(filter: ModelFilter, columns: Record<string, Value[]>, rowCount: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rowCount; i++) {
    if (filter.some((g) => g.every((t) => termHolds(t, columns[t.column]![i]!)))) out.push(i);
  }
  return out;
}

/** The filter as a user writes it for the public API. */
export function toUserFilter(filter: ModelFilter): Filter {
  const groups = filter.map((g) => g.map((t): FilterTerm => [t.column, t.op, literal(t)]));
  return groups.length === 1 ? groups[0]! : groups;
}

function literal(t: ModelTerm): unknown {
  const one = (v: Scalar | null): unknown => {
    if (v === null) return null;
    const dec = decimalOf(t.type);
    if (dec) return decimalText(v as bigint, dec.scale);
    if (t.type === 'date') return new Date((v as number) * 86_400_000).toISOString().slice(0, 10);
    if ((t.type === 'timestamp' || t.type === 'timestamp_ntz') && t.asText) {
      // Microsecond text: the millisecond part from Date (floored, also before 1970), then the
      // remaining three digits.
      const micros = v as bigint;
      const ms = micros >= 0n || micros % 1000n === 0n ? micros / 1000n : micros / 1000n - 1n;
      const iso = new Date(Number(ms)).toISOString().slice(0, -1) + String(micros - ms * 1000n).padStart(3, '0');
      return t.type === 'timestamp' ? iso + 'Z' : iso;
    }
    return v;
  };
  return Array.isArray(t.value) ? t.value.map(one) : one(t.value);
}

/** An unscaled decimal as text with `scale` fraction digits. */
export function decimalText(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return (neg ? '-' : '') + (scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`);
}

/** Readable text of model values for counterexamples: 5n, NaN, -0, "s", 0x0a0b. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')}}`;
  return String(v);
}

/** A filter in readable text: (a = 1 AND b < "x") OR (...). */
export function showFilter(filter: ModelFilter): string {
  return filter.map((g) => `(${g.map((t) => `${t.column} ${t.op} ${show(t.value)}${t.asText ? ' (as text)' : ''}`).join(' AND ')})`).join(' OR ');
}
