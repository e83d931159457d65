import { DataType, makeData, TimestampMicrosecond, type Data } from 'apache-arrow';
import { field, readStruct, setField, T, writeStruct, type ThriftList, type ThriftStruct } from './thrift-compact.js';

const INT96 = 3;
const FIXED_LEN_BYTE_ARRAY = 7;
const JULIAN_UNIX_EPOCH = 2_440_588n;
const MICROS_PER_DAY = 86_400_000_000n;

/**
 * Spark writes timestamps as Parquet INT96, which parquet-wasm turns into int64 nanoseconds:
 * values past year 2262 overflow. This rewrites the footer so INT96 columns read as
 * FIXED_LEN_BYTE_ARRAY(12) (data pages are unchanged: both are 12 plain bytes per value), and
 * drops any ARROW:schema hint that would contradict it. Returns the bytes and the INT96 column
 * names, or undefined when the file has none.
 */
export function exposeInt96(bytes: Uint8Array): { bytes: Uint8Array; columns: Set<string> } | undefined {
  const n = bytes.length;
  const footerLen = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 4).getUint32(0, true);
  const footerStart = n - 8 - footerLen;
  const { value: meta } = readStruct(bytes.subarray(footerStart, n - 8));
  const schema = field(meta, 2)?.value as ThriftList | undefined;
  const columns = new Set<string>();
  for (const el of (schema?.items ?? []) as ThriftStruct[]) {
    if (field(el, 1)?.value === INT96) {
      setField(el, 1, T.I32, FIXED_LEN_BYTE_ARRAY);
      setField(el, 2, T.I32, 12);
      columns.add(new TextDecoder().decode(field(el, 4)!.value as Uint8Array));
    }
  }
  if (columns.size === 0) return undefined;
  for (const rg of ((field(meta, 4)?.value as ThriftList | undefined)?.items ?? []) as ThriftStruct[]) {
    for (const cc of ((field(rg, 1)?.value as ThriftList | undefined)?.items ?? []) as ThriftStruct[]) {
      const md = field(cc, 3)?.value as ThriftStruct | undefined;
      if (md && field(md, 1)?.value === INT96) setField(md, 1, T.I32, FIXED_LEN_BYTE_ARRAY);
    }
  }
  const kv = field(meta, 5)?.value as ThriftList | undefined;
  if (kv) kv.items = (kv.items as ThriftStruct[]).filter((e) => new TextDecoder().decode(field(e, 1)!.value as Uint8Array) !== 'ARROW:schema');
  const footer = writeStruct(meta);
  const out = new Uint8Array(footerStart + footer.length + 8);
  out.set(bytes.subarray(0, footerStart), 0);
  out.set(footer, footerStart);
  new DataView(out.buffer).setUint32(footerStart + footer.length, footer.length, true);
  out.set([0x50, 0x41, 0x52, 0x31], footerStart + footer.length + 4); // "PAR1"
  return { bytes: out, columns };
}

/** FixedSizeBinary(12) INT96 values -> Timestamp<MICROSECOND> (exact for any year). */
export function int96ToMicros(data: Data): Data {
  if (!DataType.isFixedSizeBinary(data.type)) return data;
  const src = data.values as Uint8Array;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const out = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    if (!data.getValid(i)) continue;
    const at = (data.offset + i) * 12;
    const nanosOfDay = view.getBigUint64(at, true);
    const julianDay = BigInt(view.getUint32(at + 8, true));
    out[i] = (julianDay - JULIAN_UNIX_EPOCH) * MICROS_PER_DAY + nanosOfDay / 1000n;
  }
  return makeData({ type: new TimestampMicrosecond(), length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap, data: out } as never);
}
