import { DataType, type Data, type RecordBatch } from 'apache-arrow';
import { invalidArgument } from '../errors.js';
import type { StructField } from '../protocol/schema.js';

/** Bits each column contributes to the interleaved key. */
const BITS_PER_COLUMN = 32;

/**
 * The order of `rows` along a Z-order (Morton) curve over `columns`:
 *   1. each value becomes an unsigned key with the value's order (sign bit flipped for integers,
 *      IEEE-754 order trick for floats, first 8 UTF-8 bytes for strings and binary)
 *   2. each column's keys are scaled to 32 bits over the range present (so a column of small
 *      numbers weighs as much as one spanning the whole type); nulls sort first
 *   3. the columns' bits are interleaved MSB first, column 0 first in each round
 * Returns row numbers across `batches` (batch 0's rows first), sorted by the interleaved key.
 */
export function zOrderPermutation(batches: readonly RecordBatch[], columns: readonly string[]): Uint32Array {
  const total = batches.reduce((s, b) => s + b.numRows, 0);
  const words = columns.length; // 32 bits per column: one Uint32 word per column
  const keys = new Uint32Array(total * words);
  columns.forEach((column, c) => {
    const raw: Array<bigint | null> = [];
    for (const b of batches) {
      const data = b.getChild(column)?.data[0];
      if (!data) throw invalidArgument(`Z-order column "${column}" is not in the data`);
      const read = orderKeyReader(data, column);
      for (let i = 0; i < b.numRows; i++) raw.push(read(i));
    }
    const scaled = scaleTo32Bits(raw);
    for (let r = 0; r < total; r++) interleave(keys, r * words, scaled[r]!, c, words);
  });
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => {
    for (let w = 0; w < words; w++) {
      const d = keys[a * words + w]! - keys[b * words + w]!;
      if (d !== 0) return d;
    }
    return a - b;
  });
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

const SIGN64 = 1n << 63n;
const SIGN128 = 1n << 127n;
const MASK64 = (1n << 64n) - 1n;

/** Unsigned keys whose order is the values' order. */
function orderKeyReader(data: Data, column: string): (row: number) => bigint | null {
  const type = data.type as DataType;
  const valid = (i: number): boolean => data.getValid(i);
  if (DataType.isDecimal(type)) {
    const w = data.values as Uint32Array;
    return (i) => {
      if (!valid(i)) return null;
      let v = 0n;
      for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(w[i * 4 + k]!);
      return BigInt.asIntN(128, v) + SIGN128;
    };
  }
  if (DataType.isFloat(type)) {
    const values = data.values as Float32Array | Float64Array;
    const view = new DataView(new ArrayBuffer(8));
    return (i) => {
      if (!valid(i)) return null;
      view.setFloat64(0, values[i]!);
      const bits = view.getBigUint64(0);
      // Negative floats order backwards by their bits: invert them all; positives: set the sign.
      return (bits & SIGN64) !== 0n ? ~bits & MASK64 : bits | SIGN64;
    };
  }
  if (DataType.isInt(type) || DataType.isDate(type) || DataType.isTimestamp(type)) {
    const values = data.values as ArrayLike<number | bigint>;
    return (i) => (valid(i) ? BigInt(values[i]!) + SIGN64 : null);
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    return (i) => {
      if (!valid(i)) return null;
      let v = 0n;
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      for (let k = 0; k < 8; k++) v = (v << 8n) | BigInt(start + k < end ? bytes[start + k]! : 0);
      return v;
    };
  }
  if (DataType.isBool(type)) {
    const bits = data.values as Uint8Array;
    return (i) => {
      if (!valid(i)) return null;
      const at = data.offset + i;
      return BigInt((bits[at >> 3]! >> (at & 7)) & 1);
    };
  }
  throw invalidArgument(`Z-order column "${column}" has Arrow type ${String(type)}, which has no order key`);
}

/** Maps keys onto 0..2^32-1 keeping their order: (key - min) shifted so the range fills 32 bits. */
function scaleTo32Bits(keys: ReadonlyArray<bigint | null>): number[] {
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (const k of keys) {
    if (k === null) continue;
    if (min === undefined || k < min) min = k;
    if (max === undefined || k > max) max = k;
  }
  if (min === undefined || max === undefined) return keys.map(() => 0);
  const width = (max - min).toString(2).length;
  const shift = BigInt(width - BITS_PER_COLUMN);
  return keys.map((k) => {
    if (k === null) return 0;
    const d = k - min;
    return Number(shift >= 0n ? d >> shift : d << -shift);
  });
}

/** Spreads column `c`'s 32 bits over the row's key words: bit b lands at position (31-b)*n + c from the MSB. */
function interleave(keys: Uint32Array, base: number, value: number, c: number, n: number): void {
  for (let b = BITS_PER_COLUMN - 1; b >= 0; b--) {
    if (((value >>> b) & 1) === 0) continue;
    const pos = (BITS_PER_COLUMN - 1 - b) * n + c;
    keys[base + (pos >>> 5)]! |= (1 << (31 - (pos & 31))) >>> 0;
  }
}
