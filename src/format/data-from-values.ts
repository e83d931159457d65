import { unsupportedFeature } from '../errors.js';
import { DataType, makeData, type Data } from 'apache-arrow';

/**
 * Builds an Arrow array of `type` from plain JS values in one pass per column, for the types log
 * actions use: Utf8, Bool, Int8-64, Float32/64, Struct (values are objects keyed by field name),
 * List (arrays) and Map (plain objects or Map). null/undefined are nulls; 64-bit integers accept
 * numbers or bigints. Apache Arrow's generic builders spend ~10x more per value on dispatch.
 */
export function dataFromValues(type: DataType, values: readonly unknown[]): Data {
  const n = values.length;
  const { nullBitmap, nullCount } = validity(values);
  const base = { type, length: n, nullCount, ...(nullCount > 0 ? { nullBitmap } : {}) };
  if (DataType.isUtf8(type)) {
    const { valueOffsets, data } = utf8(values);
    return makeData({ ...base, valueOffsets, data } as never);
  }
  if (DataType.isBool(type)) {
    const data = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < n; i++) if (values[i] === true) data[i >> 3]! |= 1 << (i & 7);
    return makeData({ ...base, data } as never);
  }
  if (DataType.isInt(type)) {
    if (type.bitWidth === 64) {
      const data = type.isSigned ? new BigInt64Array(n) : new BigUint64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) data[i] = typeof v === 'bigint' ? v : BigInt(v as number);
      }
      return makeData({ ...base, data } as never);
    }
    const Ctor = (type as unknown as { ArrayType: new (n: number) => { [i: number]: number } }).ArrayType;
    const data = new Ctor(n);
    for (let i = 0; i < n; i++) data[i] = Number(values[i] ?? 0);
    return makeData({ ...base, data } as never);
  }
  if (DataType.isFloat(type)) {
    const data = type.precision === 2 ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Number(values[i] ?? 0);
    return makeData({ ...base, data } as never);
  }
  if (DataType.isStruct(type)) {
    const children = type.children.map((f) => dataFromValues(f.type as DataType, values.map((v) => (v === null || v === undefined ? null : (v as Record<string, unknown>)[f.name]))));
    return makeData({ ...base, children } as never);
  }
  if (DataType.isList(type)) {
    const items: unknown[] = [];
    const valueOffsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (Array.isArray(v)) for (const x of v) items.push(x);
      valueOffsets[i + 1] = items.length;
    }
    return makeData({ ...base, valueOffsets, child: dataFromValues(type.children[0]!.type as DataType, items) } as never);
  }
  if (DataType.isMap(type)) {
    const entries: Array<{ key: unknown; value: unknown }> = [];
    const valueOffsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v instanceof Map) for (const [key, value] of v) entries.push({ key, value });
      else if (v !== null && v !== undefined) for (const key of Object.keys(v)) entries.push({ key, value: (v as Record<string, unknown>)[key] });
      valueOffsets[i + 1] = entries.length;
    }
    return makeData({ ...base, valueOffsets, child: dataFromValues(type.children[0]!.type as DataType, entries) } as never);
  }
  throw unsupportedFeature(`values of type ${String(type)} cannot be built from JS values`);
}

function validity(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

const encoder = new TextEncoder();

/** UTF-8 bytes and offsets of string values, encoded straight into one growing buffer. */
function utf8(values: readonly unknown[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(values.length + 1);
  let data = new Uint8Array(Math.max(64, values.length * 16));
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') {
      // A UTF-16 code unit takes at most 3 UTF-8 bytes.
      if (at + v.length * 3 > data.length) {
        const grown = new Uint8Array(Math.max(data.length * 2, at + v.length * 3));
        grown.set(data.subarray(0, at));
        data = grown;
      }
      at += encoder.encodeInto(v, data.subarray(at)).written;
    }
    valueOffsets[i + 1] = at;
  }
  return { valueOffsets, data: data.subarray(0, at) };
}
