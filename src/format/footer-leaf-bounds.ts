import { compareBytes } from './byte-text.js';
import { field, type ThriftList, type ThriftStruct } from './thrift-compact.js';

/** A bound as plain-decoded from a footer: INT32/FLOAT/DOUBLE numbers, INT64/FLBA bigints, BYTE_ARRAY bytes. */
export type FooterBound = number | bigint | Uint8Array;

/** What the footer says about one leaf column over all row groups of a file. */
export interface LeafBounds {
  /** Nulls over all row groups; undefined when a row group has no null_count. */
  nullCount: number | undefined;
  /** Values including nulls (num_values summed). */
  valueCount: number;
  /** Smallest / largest min_value / max_value over the row groups that have one. */
  min?: FooterBound;
  max?: FooterBound;
  /** False when a row group's bound is a truncated byte array (is_*_value_exact = false). */
  minExact: boolean;
  maxExact: boolean;
  /** False when a row group holding non-null values has no min_value or max_value. */
  complete: boolean;
}

const INT32 = 1;
const INT64 = 2;
const FLOAT = 4;
const DOUBLE = 5;
const BYTE_ARRAY = 6;
const FIXED_LEN_BYTE_ARRAY = 7;

/**
 * Bounds and null counts of every leaf column chunk, merged over row groups and keyed by
 * `JSON.stringify(path_in_schema)`. Reads only min_value/max_value (fields 6/5), which follow
 * the column's type-defined order; meant for files this project writes (signed integers,
 * decimals as signed INT32/INT64/FLBA, UTF-8 byte order for byte arrays), where the writer
 * leaves NaN out of float bounds.
 */
export function footerLeafBounds(metadata: ThriftStruct): Map<string, LeafBounds> {
  const out = new Map<string, LeafBounds>();
  for (const rg of list(metadata, 4) as ThriftStruct[]) {
    for (const cc of list(rg, 1) as ThriftStruct[]) {
      const md = field(cc, 3)?.value as ThriftStruct | undefined;
      if (!md) continue;
      const key = JSON.stringify((list(md, 3) as Uint8Array[]).map((p) => new TextDecoder().decode(p)));
      const acc = out.get(key) ?? { nullCount: 0, valueCount: 0, minExact: true, maxExact: true, complete: true };
      out.set(key, acc);
      mergeChunk(acc, md);
    }
  }
  return out;
}

function mergeChunk(acc: LeafBounds, md: ThriftStruct): void {
  const type = field(md, 1)?.value as number;
  const values = Number(field(md, 5)?.value ?? 0);
  acc.valueCount += values;
  const stats = field(md, 12)?.value as ThriftStruct | undefined;
  const nulls = stats ? field(stats, 3)?.value : undefined;
  if (nulls === undefined || acc.nullCount === undefined) acc.nullCount = undefined;
  else acc.nullCount += Number(nulls);
  const min = stats ? decodeBound(type, field(stats, 6)?.value as Uint8Array | undefined) : undefined;
  const max = stats ? decodeBound(type, field(stats, 5)?.value as Uint8Array | undefined) : undefined;
  const nonNull = nulls === undefined ? values : values - Number(nulls);
  if (nonNull > 0 && (min === undefined || max === undefined)) acc.complete = false;
  // A writer may cut long byte arrays (parquet-rs: to 64 bytes, the maximum then bumped); a
  // file that does not say its bounds are exact is treated as cut.
  if (type === BYTE_ARRAY && min !== undefined && field(stats!, 8)?.value !== true) acc.minExact = false;
  if (type === BYTE_ARRAY && max !== undefined && field(stats!, 7)?.value !== true) acc.maxExact = false;
  if (min !== undefined && (acc.min === undefined || compareBounds(min, acc.min) < 0)) acc.min = min;
  if (max !== undefined && (acc.max === undefined || compareBounds(max, acc.max) > 0)) acc.max = max;
}

/** Plain decoding of a bound; undefined for physical types without a usable order here (BOOLEAN, INT96). */
function decodeBound(type: number, b: Uint8Array | undefined): FooterBound | undefined {
  if (!b) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (type) {
    case INT32: return b.length === 4 ? view.getInt32(0, true) : undefined;
    case INT64: return b.length === 8 ? view.getBigInt64(0, true) : undefined;
    case FLOAT: return b.length === 4 ? view.getFloat32(0, true) : undefined;
    case DOUBLE: return b.length === 8 ? view.getFloat64(0, true) : undefined;
    case BYTE_ARRAY: return b;
    case FIXED_LEN_BYTE_ARRAY: return signedBigEndian(b); // decimals: two's complement, big-endian
    default: return undefined;
  }
}

function signedBigEndian(b: Uint8Array): bigint | undefined {
  if (b.length === 0) return undefined;
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return BigInt.asIntN(b.length * 8, v);
}

/** Order of two bounds of one column: numeric, or unsigned bytes (UTF-8 code point order). */
export function compareBounds(a: FooterBound, b: FooterBound): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function list(s: ThriftStruct, id: number): unknown[] {
  return ((field(s, id)?.value as ThriftList | undefined)?.items ?? []) as unknown[];
}
