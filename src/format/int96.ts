import { DataType, makeData, TimestampMicrosecond, type Data } from 'apache-arrow';
import { bitmapOf } from './arrow-cast.js';
import { parseFooter } from './parquet-footer.js';
import { field, setField, T, writeStruct, type ThriftList, type ThriftStruct } from './thrift-compact.js';

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
  const footer = parseFooter(bytes, bytes.length);
  if ('missingBytes' in footer) throw new RangeError('truncated Parquet file');
  const exposed = exposeInt96Footer(footer.metadata);
  if (!exposed) return undefined;
  const out = new Uint8Array(footer.footerStart + exposed.tail.length);
  out.set(bytes.subarray(0, footer.footerStart), 0);
  out.set(exposed.tail, footer.footerStart);
  return { bytes: out, columns: exposed.columns };
}

/**
 * The footer-only half of exposeInt96, for readers that fetch the footer alone: rewrites the
 * decoded FileMetaData in place and returns the new file tail (footer, length, "PAR1") to put
 * at the old footer's offset, or undefined when there is no INT96 column.
 */
export function exposeInt96Footer(meta: ThriftStruct): { tail: Uint8Array; columns: Set<string> } | undefined {
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
  const tail = new Uint8Array(footer.length + 8);
  tail.set(footer, 0);
  new DataView(tail.buffer).setUint32(footer.length, footer.length, true);
  tail.set([0x50, 0x41, 0x52, 0x31], footer.length + 4); // "PAR1"
  return { tail, columns };
}

/** FixedSizeBinary(12) INT96 values -> Timestamp<MICROSECOND> (exact for any year). */
export function int96ToMicros(data: Data): Data {
  if (!DataType.isFixedSizeBinary(data.type)) return data;
  const src = data.values as Uint8Array;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const out = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    if (!data.getValid(i)) continue;
    const at = i * 12; // fixed-width values are sliced with the array
    const nanosOfDay = view.getBigUint64(at, true);
    const julianDay = BigInt(view.getUint32(at + 8, true));
    out[i] = (julianDay - JULIAN_UNIX_EPOCH) * MICROS_PER_DAY + nanosOfDay / 1000n;
  }
  return makeData({ type: new TimestampMicrosecond(), length: data.length, nullCount: data.nullCount, nullBitmap: bitmapOf(data), data: out } as never);
}
