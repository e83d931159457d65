import { DataType, makeData, RecordBatch, Struct, type Data } from 'apache-arrow';

/** The rows of `batch` at `indices` (in that order), for every type this library reads or writes. */
export function takeRows(batch: RecordBatch, indices: Int32Array): RecordBatch {
  const children = batch.schema.fields.map((_, i) => takeData(batch.getChildAt(i)!.data[0]!, indices));
  return new RecordBatch(batch.schema, makeData({ type: new Struct(batch.schema.fields), length: indices.length, nullCount: 0, children }));
}

/** The rows of `batch` whose `keep` entry is 1. */
export function filterRows(batch: RecordBatch, keep: Uint8Array): RecordBatch {
  let n = 0;
  for (let i = 0; i < keep.length; i++) n += keep[i]! ? 1 : 0;
  if (n === batch.numRows) return batch;
  const idx = new Int32Array(n);
  for (let i = 0, k = 0; i < keep.length; i++) if (keep[i]) idx[k++] = i;
  return takeRows(batch, idx);
}

/**
 * Gathers rows `indices` (relative to `data`) into a new, offset-0 array. Arrow JS slices values
 * and offsets buffers with the array (index them by row), but not bit-packed booleans or
 * validity bitmaps (those count from `data.offset`).
 */
export function takeData(data: Data, indices: Int32Array): Data {
  const type = data.type as DataType;
  const length = indices.length;
  const off = data.offset;
  let nullCount = 0;
  let nullBitmap: Uint8Array | undefined;
  if (data.nullCount > 0) {
    nullBitmap = new Uint8Array(Math.ceil(length / 8));
    for (let i = 0; i < length; i++) {
      if (data.getValid(indices[i]!)) nullBitmap[i >> 3]! |= 1 << (i & 7);
      else nullCount++;
    }
  }
  const base = { type, length, nullCount, ...(nullBitmap ? { nullBitmap } : {}) };
  if (DataType.isNull(type)) return makeData({ type, length } as never);
  if (DataType.isBool(type)) {
    const src = data.values as Uint8Array;
    const out = new Uint8Array(Math.ceil(length / 8));
    for (let i = 0; i < length; i++) {
      const at = off + indices[i]!;
      if ((src[at >> 3]! >> (at & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
    }
    return makeData({ ...base, data: out } as never);
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const src = data.values as Uint8Array;
    const valueOffsets = new Int32Array(length + 1);
    let total = 0;
    for (let i = 0; i < length; i++) {
      const at = indices[i]!;
      total += offsets[at + 1]! - offsets[at]!;
      valueOffsets[i + 1] = total;
    }
    const out = new Uint8Array(total);
    for (let i = 0; i < length; i++) {
      const at = indices[i]!;
      const from = offsets[at]!;
      const end = offsets[at + 1]!;
      // Short values byte by byte: a subarray per row cost more than the copy (1M-row appends).
      if (end - from > 32) out.set(src.subarray(from, end), valueOffsets[i]!);
      else for (let b = from, o = valueOffsets[i]!; b < end; b++, o++) out[o] = src[b]!;
    }
    return makeData({ ...base, data: out, valueOffsets } as never);
  }
  if (DataType.isStruct(type)) {
    // Children are sliced with their parent: row r of the struct is row r of each child.
    const children = data.children.map((c) => takeData(c, indices));
    return makeData({ ...base, children } as never);
  }
  if (DataType.isList(type) || DataType.isMap(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const valueOffsets = new Int32Array(length + 1);
    const childIdx: number[] = [];
    for (let i = 0; i < length; i++) {
      const at = indices[i]!;
      for (let k = offsets[at]!; k < offsets[at + 1]!; k++) childIdx.push(k);
      valueOffsets[i + 1] = childIdx.length;
    }
    const child = takeData(data.children[0]!, Int32Array.from(childIdx));
    return makeData({ ...base, valueOffsets, child } as never);
  }
  // Fixed-width values: ints, floats, dates, timestamps, decimals, fixed-size binary.
  const src = data.values as unknown as { length: number; constructor: new (n: number) => ArrayLike<unknown> & { [i: number]: unknown } } & ArrayLike<unknown>;
  const stride = DataType.isDecimal(type) ? type.bitWidth / 32 : DataType.isFixedSizeBinary(type) ? type.byteWidth : 1;
  const out = new src.constructor(length * stride);
  for (let i = 0; i < length; i++) {
    const at = indices[i]! * stride;
    for (let s = 0; s < stride; s++) out[i * stride + s] = src[at + s];
  }
  return makeData({ ...base, data: out } as never);
}
