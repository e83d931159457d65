import { DataType, type Data, type RecordBatch } from 'apache-arrow';
import { invalidArgument } from '../../errors.js';
import type { StructField } from '../../protocol/schema.js';

/** Bits each column contributes to the interleaved key. */
const BITS_PER_COLUMN = 32;

/**
 * The order of the rows of `batches` along a Z-order (Morton) curve over `columns`:
 *   1. each value becomes an order key, a double that never decreases as the value grows
 *      (numbers and unscaled decimals as doubles, strings and binary by their first 8 bytes)
 *   2. each column's keys become ranks among the column's values, scaled to 32 bits (Spark's
 *      range ids): skewed or small-range columns weigh as much as uniform ones; nulls sort first
 *   3. the columns' bits are interleaved MSB first, column 0 first in each round
 * Returns row numbers across `batches` (batch 0's rows first), sorted by the interleaved key.
 */
export function zOrderPermutation(batches: readonly RecordBatch[], columns: readonly string[]): Uint32Array {
  const total = batches.reduce((s, b) => s + b.numRows, 0);
  const words = columns.length; // 32 bits per column: one Uint32 word per column
  const keys = new Uint32Array(total * words);
  const raw = new Float64Array(total);
  const isNull = new Uint8Array(total);
  columns.forEach((column, c) => {
    let r = 0;
    for (const b of batches) {
      const data = b.getChild(column)?.data[0];
      if (!data) throw invalidArgument(`Z-order column "${column}" is not in the data`);
      const read = orderKeyReader(data, column);
      for (let i = 0; i < b.numRows; i++, r++) {
        const k = read(i);
        isNull[r] = k === null ? 1 : 0;
        raw[r] = k ?? 0;
      }
    }
    const scaled = scaleTo32Bits(raw, isNull);
    for (let row = 0; row < total; row++) interleave(keys, row * words, scaled[row]!, c, words);
  });
  return radixSortRows(keys, words, total);
}

/** Row numbers sorted by their key words (most significant first); LSD radix sort, 16 bits a pass, stable. */
function radixSortRows(keys: Uint32Array, words: number, total: number): Uint32Array {
  let order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  let next = new Uint32Array(total);
  const counts = new Uint32Array(65_537);
  for (let w = words - 1; w >= 0; w--) {
    for (const shift of [0, 16]) {
      counts.fill(0);
      for (let i = 0; i < total; i++) counts[((keys[order[i]! * words + w]! >>> shift) & 0xffff) + 1]!++;
      for (let d = 1; d <= 65_536; d++) counts[d]! += counts[d - 1]!;
      for (let i = 0; i < total; i++) {
        const row = order[i]!;
        next[counts[(keys[row * words + w]! >>> shift) & 0xffff]!++] = row;
      }
      [order, next] = [next, order];
    }
  }
  return order;
}

/** Refuses Z-order columns that are missing, partition columns, or of a type without an order key. */
export function checkZOrderColumns(columns: readonly string[], fields: readonly StructField[], partitionColumns: readonly string[]): StructField[] {
  const parts = new Set(partitionColumns.map((c) => c.toLowerCase()));
  return columns.map((name) => {
    const field = fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!field) throw invalidArgument(`Z-order column "${name}" is not in the table`, `columns are: ${fields.map((f) => f.name).join(', ')}`);
    if (parts.has(field.name.toLowerCase())) {
      throw invalidArgument(`"${field.name}" is a partition column, and Z-order only sorts within a partition`, 'Z-order by data columns; partitioning already separates the partition values');
    }
    const t = field.type;
    if (typeof t !== 'string' || !ORDERABLE.test(t)) {
      throw invalidArgument(`Z-order column "${field.name}" has type ${typeof t === 'string' ? t : t.type}, which has no order key`, 'Z-order by numeric, date, timestamp, string, binary or boolean columns');
    }
    return field;
  });
}

const ORDERABLE = /^(byte|short|integer|long|float|double|date|timestamp|timestamp_ntz|string|binary|boolean|decimal\(\d+,\s*\d+\))$/;

const TWO32 = 2 ** 32;

/** Order keys: doubles whose order is the values' order (ties only where doubles round). */
function orderKeyReader(data: Data, column: string): (row: number) => number | null {
  const type = data.type as DataType;
  const valid = (i: number): boolean => data.getValid(i);
  if (DataType.isDecimal(type)) {
    const w = data.values as Uint32Array;
    return (i) => {
      if (!valid(i)) return null;
      let v = 0n;
      for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(w[i * 4 + k]!);
      return Number(BigInt.asIntN(128, v));
    };
  }
  if (DataType.isFloat(type)) {
    const values = data.values as Float32Array | Float64Array;
    // NaN is the largest float in Delta's order (PROTOCOL.md column stats); it ties with +Infinity here.
    return (i) => (valid(i) ? (Number.isNaN(values[i]!) ? Infinity : values[i]!) : null);
  }
  if (DataType.isInt(type) || DataType.isDate(type) || DataType.isTimestamp(type)) {
    const values = data.values as ArrayLike<number | bigint>;
    return (i) => (valid(i) ? Number(values[i]!) : null);
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    return (i) => {
      if (!valid(i)) return null;
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      let v = 0;
      for (let k = 0; k < 8; k++) v = v * 256 + (start + k < end ? bytes[start + k]! : 0);
      return v;
    };
  }
  if (DataType.isBool(type)) {
    const bits = data.values as Uint8Array;
    return (i) => {
      if (!valid(i)) return null;
      const at = data.offset + i;
      return (bits[at >> 3]! >> (at & 7)) & 1;
    };
  }
  throw invalidArgument(`Z-order column "${column}" has Arrow type ${String(type)}, which has no order key`);
}

/** Each key's rank among the non-null keys, scaled onto 1..2^32-1 (equal keys, equal rank); nulls 0, before every value. */
function scaleTo32Bits(raw: Float64Array, isNull: Uint8Array): Float64Array {
  let m = 0;
  for (let i = 0; i < raw.length; i++) if (!isNull[i]) m++;
  const sorted = new Float64Array(m);
  for (let i = 0, k = 0; i < raw.length; i++) if (!isNull[i]) sorted[k++] = raw[i]!;
  sorted.sort();
  const out = new Float64Array(raw.length);
  for (let r = 0; r < raw.length; r++) {
    if (isNull[r]) continue;
    const k = raw[r]!;
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    out[r] = 1 + Math.floor((lo * (TWO32 - 1)) / m);
  }
  return out;
}

/** Spreads column `c`'s 32 bits over the row's key words: bit b lands at position (31-b)*n + c from the MSB. */
function interleave(keys: Uint32Array, base: number, value: number, c: number, n: number): void {
  for (let b = BITS_PER_COLUMN - 1; b >= 0; b--) {
    if (((value >>> b) & 1) === 0) continue;
    const pos = (BITS_PER_COLUMN - 1 - b) * n + c;
    keys[base + (pos >>> 5)]! |= (1 << (31 - (pos & 31))) >>> 0;
  }
}
