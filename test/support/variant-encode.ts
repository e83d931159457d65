/**
 * A test-only encoder of the Parquet Variant binary format (VariantEncoding.md), written from the
 * spec independently of src/format/variant-decode.ts, so the decoder is checked against it.
 */
export type Enc =
  | { t: 'null' } | { t: 'bool'; v: boolean }
  | { t: 'int8' | 'int16' | 'int32' | 'int64'; v: bigint }
  | { t: 'double' | 'float'; v: number }
  | { t: 'decimal4' | 'decimal8' | 'decimal16'; unscaled: bigint; scale: number }
  | { t: 'date'; days: number }
  | { t: 'timestamp' | 'timestamp_ntz' | 'time' | 'timestamp_nanos' | 'timestamp_nanos_ntz'; v: bigint }
  | { t: 'binary'; v: Uint8Array } | { t: 'string'; v: string; long?: boolean } | { t: 'uuid'; v: string }
  | { t: 'object'; fields: Array<[string, Enc]>; large?: boolean; offsetSize?: number; idSize?: number }
  | { t: 'array'; items: Enc[]; large?: boolean; offsetSize?: number };

const PRIMITIVE_IDS: Record<string, number> = {
  int8: 3, int16: 4, int32: 5, int64: 6, double: 7, decimal4: 8, decimal8: 9, decimal16: 10, date: 11, timestamp: 12,
  timestamp_ntz: 13, float: 14, binary: 15, string: 16, time: 17, timestamp_nanos: 18, timestamp_nanos_ntz: 19, uuid: 20,
};

function le(v: bigint | number, size: number): number[] {
  let x = BigInt.asUintN(size * 8, BigInt(v));
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
  }
  return out;
}

function keysOf(e: Enc, into: Set<string>): void {
  if (e.t === 'object') for (const [k, v] of e.fields) { into.add(k); keysOf(v, into); }
  if (e.t === 'array') for (const v of e.items) keysOf(v, into);
}

/** The metadata and value binaries of one variant. `dictOffsetSize` picks the metadata offset width. */
export function encodeVariant(e: Enc, dictOffsetSize = 1): { metadata: Uint8Array; value: Uint8Array } {
  const set = new Set<string>();
  keysOf(e, set);
  const keys = [...set].sort();
  const utf = new TextEncoder();
  const keyBytes = keys.map((k) => utf.encode(k));
  const meta: number[] = [1 | 0x10 | ((dictOffsetSize - 1) << 6), ...le(keys.length, dictOffsetSize)];
  let off = 0;
  meta.push(...le(0, dictOffsetSize));
  for (const b of keyBytes) meta.push(...le((off += b.length), dictOffsetSize));
  for (const b of keyBytes) meta.push(...b);
  return { metadata: Uint8Array.from(meta), value: Uint8Array.from(encodeValue(e, keys)) };
}

function encodeValue(e: Enc, keys: string[]): number[] {
  const prim = (id: number, body: number[] = []): number[] => [id << 2, ...body];
  switch (e.t) {
    case 'null': return prim(0);
    case 'bool': return prim(e.v ? 1 : 2);
    case 'int8': return prim(3, le(e.v, 1));
    case 'int16': return prim(4, le(e.v, 2));
    case 'int32': return prim(5, le(e.v, 4));
    case 'int64': return prim(6, le(e.v, 8));
    case 'double': { const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, e.v, true); return prim(7, [...new Uint8Array(b.buffer)]); }
    case 'float': { const b = new DataView(new ArrayBuffer(4)); b.setFloat32(0, e.v, true); return prim(14, [...new Uint8Array(b.buffer)]); }
    case 'decimal4': case 'decimal8': case 'decimal16':
      return prim(PRIMITIVE_IDS[e.t]!, [e.scale, ...le(e.unscaled, { decimal4: 4, decimal8: 8, decimal16: 16 }[e.t])]);
    case 'date': return prim(11, le(e.days, 4));
    case 'timestamp': case 'timestamp_ntz': case 'time': case 'timestamp_nanos': case 'timestamp_nanos_ntz':
      return prim(PRIMITIVE_IDS[e.t]!, le(e.v, 8));
    case 'binary': return prim(15, [...le(e.v.length, 4), ...e.v]);
    case 'string': {
      const b = [...new TextEncoder().encode(e.v)];
      if (!e.long && b.length < 64) return [1 | (b.length << 2), ...b];
      return prim(16, [...le(b.length, 4), ...b]);
    }
    case 'uuid': return prim(20, [...Buffer.from(e.v.replaceAll('-', ''), 'hex')]);
    case 'object': {
      const sorted = [...e.fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const values = sorted.map(([, v]) => encodeValue(v, keys));
      const offSize = e.offsetSize ?? 1;
      const idSize = e.idSize ?? 1;
      const header = 2 | (((offSize - 1) | ((idSize - 1) << 2) | (e.large ? 0x10 : 0)) << 2);
      const out = [header, ...le(sorted.length, e.large ? 4 : 1)];
      for (const [k] of sorted) out.push(...le(keys.indexOf(k), idSize));
      let at = 0;
      out.push(...le(0, offSize));
      for (const v of values) out.push(...le((at += v.length), offSize));
      for (const v of values) out.push(...v);
      return out;
    }
    case 'array': {
      const values = e.items.map((v) => encodeValue(v, keys));
      const offSize = e.offsetSize ?? 1;
      const out = [3 | (((offSize - 1) | (e.large ? 0x04 : 0)) << 2), ...le(values.length, e.large ? 4 : 1)];
      let at = 0;
      out.push(...le(0, offSize));
      for (const v of values) out.push(...le((at += v.length), offSize));
      for (const v of values) out.push(...v);
      return out;
    }
  }
}
