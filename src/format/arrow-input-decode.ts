import { makeData, type Data, type DataType } from 'apache-arrow';
import { invalidArgument, unrepresentableColumn, type DeltaError } from '../errors.js';
import { nullData } from './arrow-cast.js';
import { takeData } from './arrow-take.js';
import { aligned, isValidAt, TYPE_ID, type DataLike } from './arrow-input-types.js';

// Values held indirectly (dictionary indexes, string views), copied out into plain Utf8/Binary arrays.

/** Dictionary -> its value type: row i is entry index[i]; a null index or a null entry is null. */
export function decodeDictionary(data: DataLike, chunks: Data[], to: DataType, path: string): Data {
  const n = data.length;
  const dictionary = chunks.length === 1 ? chunks[0]! : concatVariableWidth(chunks, to, path);
  const idx = data.values!;
  const size = dictionary.length;
  const outside = (k: number, i: number): DeltaError => invalidArgument(`column "${path}": dictionary index ${k} at row ${i} is outside the dictionary (${size} entries)`, 'the Arrow data is malformed: rebuild the column (e.g. vectorFromArray(values))');
  let indices: Int32Array;
  if (data.nullCount === 0 && idx instanceof Int32Array) {
    // The common shape (vectorFromArray / tableFromArrays of strings): the indexes are used as they are.
    for (let i = 0; i < n; i++) {
      const k = idx[i]!;
      if (!(k >= 0 && k < size)) throw outside(k, i);
    }
    indices = idx.length === n ? idx : idx.subarray(0, n);
  } else {
    indices = new Int32Array(n);
    let anyValid = false;
    for (let i = 0; i < n; i++) {
      if (!isValidAt(data, i)) continue;
      const k = Number(idx[i]!);
      if (!(k >= 0 && k < size)) throw outside(k, i);
      indices[i] = k;
      anyValid = true;
    }
    if (!anyValid) return nullData(to, n);
  }
  const taken = takeData(dictionary, indices);
  if (data.nullCount === 0) return taken;
  const bitmap = new Uint8Array(Math.ceil(n / 8));
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (isValidAt(data, i) && taken.getValid(i)) bitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  }
  return taken.clone(to, 0, n, nullCount, [taken.valueOffsets, taken.values, bitmap] as never);
}

/** One array of the dictionary batches of a column (delta dictionaries of an IPC stream). */
function concatVariableWidth(chunks: Data[], to: DataType, path: string): Data {
  if (to.typeId !== TYPE_ID.Utf8 && to.typeId !== TYPE_ID.Binary) {
    throw unrepresentableColumn(path, `Dictionary<${String(to)}>`, `split over ${chunks.length} dictionary batches`, 'decode the column before writing (e.g. vectorFromArray([...column], valueType))');
  }
  const length = chunks.reduce((s, c) => s + c.length, 0);
  const valueOffsets = new Int32Array(length + 1);
  const rows: Uint8Array[] = [];
  const bitmap = new Uint8Array(Math.ceil(length / 8));
  let r = 0;
  let nullCount = 0;
  for (const c of chunks) {
    const offsets = c.valueOffsets;
    for (let i = 0; i < c.length; i++, r++) {
      const bytes = (c.values as Uint8Array).subarray(offsets[i]!, offsets[i + 1]!);
      rows.push(bytes);
      valueOffsets[r + 1] = valueOffsets[r]! + bytes.length;
      if (c.getValid(i)) bitmap[r >> 3]! |= 1 << (r & 7);
      else nullCount++;
    }
  }
  const out = new Uint8Array(valueOffsets[length]!);
  rows.forEach((b, i) => out.set(b, valueOffsets[i]!));
  return makeData({ type: to, length, nullCount, nullBitmap: bitmap, valueOffsets, data: out } as never);
}

/** Utf8View/BinaryView: 16-byte views (length, then inline bytes or prefix + buffer index + offset). */
export function fromViews(data: DataLike, to: DataType): Data {
  const n = data.length;
  const views = data.values as unknown as Uint8Array;
  const dv = new DataView(views.buffer, views.byteOffset, views.byteLength);
  const buffers = data.variadicBuffers ?? [];
  const valueOffsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) valueOffsets[i + 1] = valueOffsets[i]! + (isValidAt(data, i) ? dv.getInt32(i * 16, true) : 0);
  const out = new Uint8Array(valueOffsets[n]!);
  for (let i = 0; i < n; i++) {
    const len = valueOffsets[i + 1]! - valueOffsets[i]!;
    if (len === 0) continue;
    const bytes = len <= 12
      ? views.subarray(i * 16 + 4, i * 16 + 4 + len)
      : buffers[dv.getInt32(i * 16 + 8, true)]!.subarray(dv.getInt32(i * 16 + 12, true), dv.getInt32(i * 16 + 12, true) + len);
    out.set(bytes, valueOffsets[i]!);
  }
  return aligned(data, to, { valueOffsets, data: out });
}
