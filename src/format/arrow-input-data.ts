import { makeData, Null, type Data, type DataType } from 'apache-arrow';
import { invalidArgument, unrepresentableColumn } from '../errors.js';
import { takeData } from './arrow-take.js';
import { decodeDictionary, fromViews } from './arrow-input-decode.js';
import { aligned, attr, isValidAt, TYPE_ID, type DataLike } from './arrow-input-types.js';

/*
 * Buffers follow apache-arrow's slicing convention, which every copy since 15 shares: a sliced
 * array keeps its `offset`, its values and value-offsets buffers are cut to start at its first
 * row, while validity bitmaps (and bit-packed booleans) still count from `offset`. So row i of
 * `data` is values[i] / valueOffsets[i], and bitmap bit (offset + i). Converted arrays keep
 * `offset` and the bitmap untouched whenever their rows stay aligned.
 */

const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MS_PER_DAY = 86_400_000n;
/** Multiplier from each Arrow TimeUnit (SECOND, MILLISECOND, MICROSECOND) to microseconds. */
const TO_MICROS = [1_000_000n, 1_000n, 1n];

/** Converts `data` (of any apache-arrow copy) to `to`, the type `normalizeType` gave its type, exactly. */
export function normalizeData(data: DataLike, to: DataType, path: string): Data {
  const t = data.type;
  const n = data.length;
  switch (t.typeId) {
    case TYPE_ID.Null: return makeData({ type: new Null(), length: n });
    case TYPE_ID.Int: return normalizeInt(data, to, path);
    case TYPE_ID.Float: {
      if (attr<number>(t, 'precision') !== 0) return aligned(data, to, { data: data.values });
      const bits = data.values as unknown as Uint16Array;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(bits[i]!);
      return aligned(data, to, { data: out });
    }
    case TYPE_ID.Bool: return aligned(data, to, { data: data.values });
    case TYPE_ID.Utf8: case TYPE_ID.Binary: return aligned(data, to, { valueOffsets: data.valueOffsets, data: data.values });
    case TYPE_ID.LargeUtf8: case TYPE_ID.LargeBinary: {
      const offsets = data.valueOffsets as BigInt64Array;
      const base = n === 0 ? 0 : Number(offsets[0]!);
      const total = n === 0 ? 0 : Number(offsets[n]!) - base;
      if (total > INT32_MAX) {
        throw unrepresentableColumn(path, String(t), `with ${total} bytes in one batch, more than the 2 GiB a Utf8/Binary array holds`, 'write it in smaller record batches (e.g. table.slice() ranges)');
      }
      const valueOffsets = new Int32Array(n + 1);
      for (let i = 0; i <= n; i++) valueOffsets[i] = Number(offsets[i]!) - base;
      return aligned(data, to, { valueOffsets, data: (data.values as Uint8Array).subarray(base, base + total) });
    }
    case TYPE_ID.FixedSizeBinary: {
      const width = attr<number>(t, 'byteWidth');
      if (n * width > INT32_MAX) throw unrepresentableColumn(path, String(t), `with ${n * width} bytes in one batch, more than the 2 GiB a Binary array holds`, 'write it in smaller record batches');
      const valueOffsets = new Int32Array(n + 1);
      for (let i = 0; i <= n; i++) valueOffsets[i] = i * width;
      return aligned(data, to, { valueOffsets, data: (data.values as Uint8Array).subarray(0, n * width) });
    }
    case TYPE_ID.Utf8View: case TYPE_ID.BinaryView: return fromViews(data, to);
    case TYPE_ID.Decimal: return normalizeDecimal(data, to);
    case TYPE_ID.Date: {
      if (attr<number>(t, 'unit') === 0) return aligned(data, to, { data: data.values });
      // DateMillisecond: the day the instant falls on (floor, so -1 ms is 1969-12-31).
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(floorDiv(int64At(data, i), MS_PER_DAY));
      return aligned(data, to, { data: out });
    }
    case TYPE_ID.Timestamp: return normalizeTimestamp(data, to, path);
    case TYPE_ID.Struct: {
      const fields = to.children;
      // Children are sliced with their parent: row r of the struct is row r of each child.
      const children = data.children.map((c, i) => normalizeData(c, fields[i]!.type as DataType, `${path}.${fields[i]!.name}`));
      return aligned(data, to, { children });
    }
    case TYPE_ID.List: case TYPE_ID.Map: {
      const child = normalizeData(data.children[0]!, to.children[0]!.type as DataType, childPath(to, path));
      return aligned(data, to, { valueOffsets: data.valueOffsets, child });
    }
    case TYPE_ID.LargeList: {
      const offsets = data.valueOffsets as BigInt64Array;
      const base = n === 0 ? 0 : Number(offsets[0]!);
      const end = n === 0 ? 0 : Number(offsets[n]!);
      const valueOffsets = new Int32Array(n + 1);
      for (let i = 0; i <= n; i++) valueOffsets[i] = Number(offsets[i]!) - base;
      const child = normalizeData(data.children[0]!, to.children[0]!.type as DataType, `${path}[]`).slice(base, end - base);
      return aligned(data, to, { valueOffsets, child });
    }
    case TYPE_ID.FixedSizeList: return fixedSizeListToList(data, to, path);
    case TYPE_ID.Dictionary: return decodeDictionary(data, (data.dictionary?.data ?? []).map((c) => normalizeData(c, to, path)), to, path);
    default: throw invalidArgument(`column "${path}": no conversion from Arrow type ${String(t)}`);
  }
}

function childPath(to: DataType, path: string): string {
  return to.typeId === TYPE_ID.Map ? path : `${path}[]`;
}

/** The 64-bit value of row i: BigInt64Array buffers, or (apache-arrow 15 timestamps and Date64) pairs of 32-bit words. */
function int64At(data: DataLike, i: number): bigint {
  const v = data.values!;
  if (v.BYTES_PER_ELEMENT === 8) return BigInt(v[i]!);
  const lo = BigInt(Number(v[2 * i]!) >>> 0);
  const hi = BigInt(Number(v[2 * i + 1]!) | 0);
  return (hi << 32n) | lo;
}

function normalizeInt(data: DataLike, to: DataType, path: string): Data {
  const t = data.type;
  const n = data.length;
  const width = attr<number>(t, 'bitWidth');
  if (attr<boolean>(t, 'isSigned')) return aligned(data, to, { data: data.values });
  const v = data.values!;
  if (width < 32) {
    const out = width === 8 ? new Int16Array(n) : new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(v[i]!);
    return aligned(data, to, { data: out });
  }
  if (width === 32) {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(v[i]!);
    return aligned(data, to, { data: out });
  }
  // Uint64 fits a Delta long only value by value; null slots may hold anything and are zeroed.
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    if (!isValidAt(data, i)) continue;
    const x = BigInt(v[i]!);
    if (x > INT64_MAX) {
      throw unrepresentableColumn(path, String(t), `and its value ${x} (row ${i} of the batch) does not fit a Delta long (at most ${INT64_MAX})`, 'cast it to Decimal128(20, 0) or Utf8, or keep its values at or below 2^63 - 1');
    }
    out[i] = x;
  }
  return aligned(data, to, { data: out });
}

function normalizeTimestamp(data: DataLike, to: DataType, path: string): Data {
  const t = data.type;
  const n = data.length;
  const unit = attr<number>(t, 'unit');
  if (unit === 2 && data.values?.BYTES_PER_ELEMENT === 8) return aligned(data, to, { data: data.values });
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const v = int64At(data, i);
    // Nanoseconds are cut to microseconds by floor division, as Spark does (-1 ns is -1 us).
    const us = unit === 3 ? floorDiv(v, 1000n) : v * TO_MICROS[unit]!;
    if (us < INT64_MIN || us > INT64_MAX) {
      if (!isValidAt(data, i)) continue;
      throw unrepresentableColumn(path, String(t), `and its value ${v} (row ${i} of the batch) is outside the microsecond range of a Delta timestamp`, 'keep timestamps within years -290308 to 294247, or store the count as Int64');
    }
    out[i] = us;
  }
  return aligned(data, to, { data: out });
}

function normalizeDecimal(data: DataLike, to: DataType): Data {
  const words = attr<number>(data.type, 'bitWidth') / 32;
  if (words === 4) return aligned(data, to, { data: data.values });
  // Other widths (32/64/256 bits) hold the same value in fewer or more little-endian 32-bit words.
  const src = data.values as unknown as Uint32Array;
  const out = new Uint32Array(data.length * 4);
  for (let i = 0; i < data.length; i++) {
    let v = 0n;
    for (let w = words - 1; w >= 0; w--) v = (v << 32n) | BigInt(src[i * words + w]! >>> 0);
    let x = BigInt.asUintN(128, BigInt.asIntN(words * 32, v));
    for (let w = 0; w < 4; w++, x >>= 32n) out[i * 4 + w] = Number(x & 0xffffffffn);
  }
  return aligned(data, to, { data: out });
}

/** FixedSizeList -> List: offsets i * size; null rows become empty lists. */
function fixedSizeListToList(data: DataLike, to: DataType, path: string): Data {
  const n = data.length;
  const size = attr<number>(data.type, 'listSize');
  // The child is sliced with its parent: row i owns child rows [i * size, (i + 1) * size).
  const child = normalizeData(data.children[0]!, to.children[0]!.type as DataType, `${path}[]`);
  const valueOffsets = new Int32Array(n + 1);
  if (data.nullCount === 0) {
    for (let i = 0; i <= n; i++) valueOffsets[i] = i * size;
    return aligned(data, to, { valueOffsets, child });
  }
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (isValidAt(data, i)) for (let k = 0; k < size; k++) keep.push(i * size + k);
    valueOffsets[i + 1] = keep.length;
  }
  return aligned(data, to, { valueOffsets, child: takeData(child, Int32Array.from(keep)) });
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** IEEE 754 half-precision bits to the (exactly representable) single-precision value. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

