import fc from 'fast-check';
import type { FilterOp } from '../../src/index.js';
import { decimalOf, isFilterable, type Column, type ColumnType, type PrimitiveType, type Value } from './filter-model.js';
import type { ModelFilter, ModelTerm, Scalar } from './filter-oracle.js';

/** Adversarial data for the differential filter test: generators of schemas, rows and filters. */

const MIN_US = -62_135_596_800_000_000n; // 0001-01-01T00:00:00Z
const MAX_US = 253_402_300_799_999_999n; // 9999-12-31T23:59:59.999999Z
const MIN_DAY = -719_162; // 0001-01-01
const MAX_DAY = 2_932_896; // 9999-12-31
const TWO_53 = 2n ** 53n;

// Long statistics keep every digit, so data longs range over all of int64.
const EXACT_LONG_STATS = true;
// Timestamp literals given as text keep their microseconds.
const MICROSECOND_TEXT_LITERALS = true;

/** Strings sharing a 32+ character prefix, so file statistics hold truncated bounds. */
const PREFIXES = ['p'.repeat(31), 'p'.repeat(32), 'é'.repeat(33), '\u{1f600}'.repeat(16), `${'q'.repeat(30)}\ue000`];
/** Characters around the UTF-8 length steps, and both sides of where UTF-16 and UTF-8 order part (U+E000–U+FFFF vs astral). */
const EDGY_CHARS = ['a', '\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1f600}', '\u{10ffff}'];
const ORDER_SPLIT_CHARS = ['a', '\ue000', '\uffff', '\u{10000}', '\u{1f600}'];

const PLAIN: PrimitiveType[] = [
  'byte', 'short', 'integer', 'long', 'float', 'double', 'boolean', 'string', 'binary', 'date', 'timestamp', 'timestamp_ntz',
];
const DECIMALS: PrimitiveType[] = ['decimal(1,0)', 'decimal(5,2)', 'decimal(10,0)', 'decimal(18,6)', 'decimal(19,4)', 'decimal(38,0)', 'decimal(38,18)'];
/** Each plain type about as often as decimals of all precisions together. */
const primitiveType: fc.Arbitrary<PrimitiveType> = fc.oneof(
  { weight: PLAIN.length, arbitrary: fc.constantFrom(...PLAIN) },
  { weight: 1, arbitrary: fc.constantFrom(...DECIMALS) },
);

/** Values of a type that sit on edges: extremes, NaN, ±Infinity, -0, zero and its neighbours. */
export function constantsOf(type: PrimitiveType): Scalar[] {
  const dec = decimalOf(type);
  if (dec) {
    const max = 10n ** BigInt(dec.precision) - 1n;
    return [max, -max, 0n, 1n, -1n, max / 2n];
  }
  switch (type) {
    case 'byte': return [-128, 127, 0, -1, 1];
    case 'short': return [-32_768, 32_767, 0, -1, 1];
    case 'integer': return [-2_147_483_648, 2_147_483_647, 0, -1, 1];
    case 'long': return [-(2n ** 63n), 2n ** 63n - 1n, TWO_53, TWO_53 + 1n, -TWO_53 - 1n, 0n, -1n, 1n];
    case 'float': return [NaN, Infinity, -Infinity, -0, 0, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, 1.5, Math.fround(0.1)];
    case 'double': return [NaN, Infinity, -Infinity, -0, 0, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, 1.5, 0.1];
    case 'boolean': return [false, true];
    case 'string': return ['', 'a', '\ue000', '\uffff', '\u{1f600}', '\u{10ffff}', ...PREFIXES, `${PREFIXES[1]}a`, `${PREFIXES[3]}\ue000`];
    case 'binary': return [];
    case 'date': return [MIN_DAY, MAX_DAY, MAX_DAY - 1, -1, 0, 1, -25_567];
    case 'timestamp': case 'timestamp_ntz': return [MIN_US, MAX_US, -1n, 0n, 1n, 999n, 1000n, -1000n, -1001n, 1_700_000_000_123_456n];
  }
  throw new TypeError(`no constants for ${type}`);
}

function valueOf(type: PrimitiveType): fc.Arbitrary<Value> {
  const dec = decimalOf(type);
  const edges = type === 'binary' ? [] : constantsOf(type).filter((v) => type !== 'long' || EXACT_LONG_STATS || (v as bigint) >= -TWO_53 && (v as bigint) <= TWO_53);
  const any = ((): fc.Arbitrary<Value> => {
    if (dec) {
      const max = 10n ** BigInt(dec.precision) - 1n;
      return fc.oneof(fc.bigInt({ min: -max, max }), fc.bigInt({ min: -999n, max: 999n }).map((v) => (v > max ? max : v < -max ? -max : v)));
    }
    switch (type) {
      case 'byte': return fc.integer({ min: -128, max: 127 });
      case 'short': return fc.integer({ min: -32_768, max: 32_767 });
      case 'integer': return fc.integer();
      case 'long': return EXACT_LONG_STATS ? fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -5n, max: 5n }))
        : fc.oneof(fc.bigInt({ min: -TWO_53, max: TWO_53 }), fc.bigInt({ min: -5n, max: 5n }));
      case 'float': return fc.float();
      case 'double': return fc.oneof(fc.double(), fc.integer({ min: -3, max: 3 }).map((n) => n / 2));
      case 'boolean': return fc.boolean();
      case 'string': return fc.tuple(
        fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.constantFrom(...PREFIXES) }),
        fc.array(fc.oneof(fc.constantFrom(...ORDER_SPLIT_CHARS), fc.constantFrom(...EDGY_CHARS)), { maxLength: 3 }),
      ).map(([p, cs]) => p + cs.join(''));
      case 'binary': return fc.uint8Array({ maxLength: 4 });
      case 'date': return fc.oneof(fc.integer({ min: MIN_DAY, max: MAX_DAY }), fc.integer({ min: -3, max: 3 }));
      case 'timestamp': case 'timestamp_ntz':
        return fc.oneof(fc.bigInt({ min: MIN_US, max: MAX_US }), fc.bigInt({ min: -2_000n, max: 2_000n }));
    }
    throw new TypeError(`no values for ${type}`);
  })();
  return edges.length === 0 ? any : fc.oneof(any, fc.constantFrom(...(edges as Value[])));
}

/** A value of a column type, null about one time in five. */
export function cellOf(type: ColumnType): fc.Arbitrary<Value> {
  const base = typeof type === 'string' ? valueOf(type)
    : fc.record(Object.fromEntries(type.struct.map((f) => [f.name, fc.option(valueOf(f.type), { nil: null, freq: 4 })]))) as fc.Arbitrary<Value>;
  return fc.option(base, { nil: null, freq: 4 });
}

const columnType: fc.Arbitrary<ColumnType> = fc.oneof(
  { weight: 8, arbitrary: primitiveType },
  { weight: 1, arbitrary: fc.array(primitiveType, { minLength: 1, maxLength: 2 }).map((ts) => ({ struct: ts.map((type, i) => ({ name: `f${i}`, type })) })) },
);

/** A table to build: columns (besides `id`), an optional partition column, rows per append. */
export interface TableCase {
  columns: Column[];
  partitionBy: string | undefined;
  files: Array<Array<Record<string, Value>>>;
}

export const tableCase: fc.Arbitrary<TableCase> = fc
  .tuple(fc.array(columnType, { minLength: 1, maxLength: 4 }), fc.nat())
  .chain(([types, partitionPick]) => {
    const columns = types.map((type, i) => ({ name: `c${i}`, type }));
    // Binary partition values would have to be UTF-8 strings in the log; structs cannot be partitions.
    const partitionable = columns.filter((c) => isFilterable(c.type));
    const partitionBy = partitionable.length > 0 && partitionPick % 3 === 0 ? partitionable[partitionPick % partitionable.length]!.name : undefined;
    const row = fc.record(Object.fromEntries(columns.map((c) => [c.name, cellOf(c.type)]))) as fc.Arbitrary<Record<string, Value>>;
    return fc.array(fc.array(row, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }).map((files) => ({ columns, partitionBy, files }));
  });

/** Where a literal comes from: a value of the data, a neighbour of one, an edge constant, or null. */
export interface LiteralSeed { kind: 'data' | 'near' | 'const' | 'null'; pick: number; up: boolean }
export interface TermSeed { column: number; op: FilterOp | 'is null' | 'is not null'; literals: LiteralSeed[]; asText: boolean }

const literalSeed: fc.Arbitrary<LiteralSeed> = fc.record({
  kind: fc.constantFrom<LiteralSeed['kind']>('data', 'data', 'near', 'const', 'null'),
  pick: fc.nat({ max: 1000 }),
  up: fc.boolean(),
});
const termSeed: fc.Arbitrary<TermSeed> = fc.record({
  column: fc.nat({ max: 100 }),
  op: fc.constantFrom<TermSeed['op']>('=', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'is null', 'is not null'),
  literals: fc.array(literalSeed, { minLength: 1, maxLength: 3 }),
  asText: fc.boolean(),
});
/** Seeds of a DNF filter: 1-2 groups of 1-3 terms, resolved against a table by resolveFilter. */
export const filterSeed: fc.Arbitrary<TermSeed[][]> = fc.array(fc.array(termSeed, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 });

/** A column a filter may name; `nullOnly` ones (binary, struct, ...) only in IS NULL / IS NOT NULL. */
export interface FilterColumn { name: string; type: PrimitiveType; nullOnly?: true }

/** Turns seeds into a filter over `columns`, taking boundary literals from `data` (values per column). */
export function resolveFilter(seeds: TermSeed[][], columns: FilterColumn[], data: Record<string, Value[]>): ModelFilter {
  return seeds.map((g) => g.map((s): ModelTerm => {
    const col = columns[s.column % columns.length]!;
    if (col.nullOnly) return { column: col.name, type: col.type, op: s.literals.length % 2 === 1 ? '=' : '!=', value: null };
    const values = data[col.name]!.filter((v) => v !== null) as Scalar[];
    const lit = (seed: LiteralSeed, allowNull: boolean): Scalar | null => {
      if (seed.kind === 'null' && allowNull) return null;
      if ((seed.kind === 'data' || seed.kind === 'near') && values.length > 0) {
        const v = values[seed.pick % values.length]!;
        return seed.kind === 'data' ? v : neighbour(v, col.type, seed.up, seed.pick);
      }
      const edges = constantsOf(col.type);
      return edges[seed.pick % edges.length]!;
    };
    const asText = (col.type === 'timestamp' || col.type === 'timestamp_ntz') && s.asText;
    const base = { column: col.name, type: col.type, ...(asText ? { asText } : {}) };
    if (s.op === 'is null' || s.op === 'is not null') return { ...base, op: s.op === 'is null' ? '=' : '!=', value: null };
    if (s.op === 'in' || s.op === 'not in') return { ...base, op: s.op, value: s.literals.map((l) => textSafe(lit(l, true), asText)) };
    return { ...base, op: s.op, value: textSafe(lit(s.literals[0]!, false), asText) };
  }));
}

/** A timestamp literal passed as text is whole milliseconds (see MICROSECOND_TEXT_LITERALS). */
function textSafe(v: Scalar | null, asText: boolean): Scalar | null {
  if (!asText || MICROSECOND_TEXT_LITERALS || typeof v !== 'bigint') return v;
  return v - (((v % 1000n) + 1000n) % 1000n);
}

/** A value next to `v` in the column's order (in its type's domain). */
function neighbour(v: Scalar, type: PrimitiveType, up: boolean, pick: number): Scalar {
  if (typeof v === 'bigint') return up ? v + 1n : v - 1n;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'string') {
    // Just above, just below, or the last character swapped for one across the UTF-16/UTF-8 split.
    const chars = [...v];
    if (pick % 3 === 0) return up ? `${v}\u0000` : chars.slice(0, -1).join('');
    return chars.slice(0, -1).join('') + ORDER_SPLIT_CHARS[pick % ORDER_SPLIT_CHARS.length]!;
  }
  if (type === 'date' || type === 'byte' || type === 'short' || type === 'integer') return up ? v + 1 : v - 1;
  return nextDouble(v, up);
}

function nextDouble(v: number, up: boolean): number {
  if (Number.isNaN(v) || v === (up ? Infinity : -Infinity)) return v;
  if (v === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, v);
  const bits = buf.getBigInt64(0);
  buf.setBigInt64(0, (v > 0) === up ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}
