import { DataType, makeData, RecordBatch, Struct, type Data, type Schema } from 'apache-arrow';

/**
 * The rows of `batches` (one schema) as one batch: each column's arrays copied end to end into
 * fresh, offset-0 buffers. For many small batches that would otherwise each cross into the
 * Parquet encoder with their own IPC schema message.
 */
export function concatBatches(schema: Schema, batches: readonly RecordBatch[]): RecordBatch {
  if (batches.length === 1 && batches[0]!.schema === schema) return batches[0]!;
  const length = batches.reduce((n, b) => n + b.numRows, 0);
  const children = schema.fields.map((_, i) => concatData(batches.map((b) => b.data.children[i]!)));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

/**
 * Arrays of one type end to end, for every type this library reads or writes. Arrow JS slices
 * values and offsets buffers with the array (index them by row), not bit-packed booleans or
 * validity bitmaps (those count from `data.offset`), and a list's child stays whole.
 */
export function concatData(parts: readonly Data[]): Data {
  const type = parts[0]!.type as DataType;
  const length = parts.reduce((n, p) => n + p.length, 0);
  const nullCount = parts.reduce((n, p) => n + nullsOf(p), 0);
  if (DataType.isNull(type)) return makeData({ type, length } as never);
  const base = { type, length, nullCount, ...(nullCount > 0 ? { nullBitmap: concatValidity(parts, length) } : {}) };
  if (DataType.isBool(type)) {
    const out = new Uint8Array(Math.ceil(length / 8));
    let at = 0;
    for (const p of parts) copyBits(p.values as Uint8Array, p.offset, p.length, out, (at += p.length) - p.length);
    return makeData({ ...base, data: out } as never);
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const valueOffsets = new Int32Array(length + 1);
    const total = parts.reduce((n, p) => n + spanOf(p), 0);
    const out = new Uint8Array(total);
    let row = 0;
    let byte = 0;
    for (const p of parts) {
      const offsets = p.valueOffsets as Int32Array;
      const first = offsets[0]!;
      out.set((p.values as Uint8Array).subarray(first, offsets[p.length]!), byte);
      for (let i = 1; i <= p.length; i++) valueOffsets[row + i] = byte + offsets[i]! - first;
      row += p.length;
      byte += offsets[p.length]! - first;
    }
    return makeData({ ...base, data: out, valueOffsets } as never);
  }
  if (DataType.isStruct(type)) {
    const children = type.children.map((_, i) => concatData(parts.map((p) => p.children[i]!)));
    return makeData({ ...base, children } as never);
  }
  if (DataType.isList(type) || DataType.isMap(type)) {
    const valueOffsets = new Int32Array(length + 1);
    const childParts: Data[] = [];
    let row = 0;
    let child = 0;
    for (const p of parts) {
      const offsets = p.valueOffsets as Int32Array;
      const first = offsets[0]!;
      const span = offsets[p.length]! - first;
      if (span > 0) childParts.push(p.children[0]!.slice(first, span));
      for (let i = 1; i <= p.length; i++) valueOffsets[row + i] = child + offsets[i]! - first;
      row += p.length;
      child += span;
    }
    // No child rows at all: an empty slice still carries the child's own children (a map's struct).
    if (childParts.length === 0) childParts.push(parts[0]!.children[0]!.slice(0, 0));
    return makeData({ ...base, valueOffsets, child: concatData(childParts) } as never);
  }
  // Fixed-width values: ints, floats, dates, times, timestamps, decimals, fixed-size binary.
  if (!(DataType.isInt(type) || DataType.isFloat(type) || DataType.isDate(type) || DataType.isTime(type) || DataType.isTimestamp(type) || DataType.isDecimal(type) || DataType.isFixedSizeBinary(type))) {
    throw new TypeError(`concatData does not handle Arrow type ${String(type)}`);
  }
  const stride = DataType.isDecimal(type) ? type.bitWidth / 32 : DataType.isFixedSizeBinary(type) ? type.byteWidth : 1;
  const first = parts[0]!.values as unknown as { constructor: new (n: number) => { set(a: ArrayLike<unknown>, at: number): void } };
  const out = new first.constructor(length * stride);
  let at = 0;
  for (const p of parts) {
    out.set((p.values as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(0, p.length * stride), at);
    at += p.length * stride;
  }
  return makeData({ ...base, data: out } as never);
}

function nullsOf(p: Data): number {
  return p.nullBitmap && p.nullBitmap.length > 0 ? p.nullCount : DataType.isNull(p.type) ? p.length : 0;
}

function spanOf(p: Data): number {
  const offsets = p.valueOffsets as Int32Array;
  return offsets[p.length]! - offsets[0]!;
}

function concatValidity(parts: readonly Data[], length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / 8));
  let at = 0;
  for (const p of parts) {
    if (nullsOf(p) > 0) copyBits(p.nullBitmap!, p.offset, p.length, out, at);
    else for (let i = 0; i < p.length; i++) out[(at + i) >> 3]! |= 1 << ((at + i) & 7);
    at += p.length;
  }
  return out;
}

/** Bits from..from+count of `src` to bits at.. of `out` (which starts zeroed there). */
function copyBits(src: Uint8Array, from: number, count: number, out: Uint8Array, at: number): void {
  for (let i = 0; i < count; i++) {
    const s = from + i;
    if ((src[s >> 3]! >> (s & 7)) & 1) out[(at + i) >> 3]! |= 1 << ((at + i) & 7);
  }
}
