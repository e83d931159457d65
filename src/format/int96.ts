import { DataType, Field, List, makeData, Map_, Struct, TimestampMicrosecond, type Data } from 'apache-arrow';
import { corruptData } from '../errors.js';
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
 * drops any ARROW:schema hint that would contradict it. Returns the bytes, the INT96 column
 * names and their leaf indexes, or undefined when the file has none.
 */
export function exposeInt96(bytes: Uint8Array): { bytes: Uint8Array; columns: Set<string>; leaves: Set<number> } | undefined {
  const footer = parseFooter(bytes, bytes.length);
  if ('missingBytes' in footer) throw corruptData('Parquet file', 'truncated: the footer is longer than the file');
  const exposed = exposeInt96Footer(footer.metadata);
  if (!exposed) return undefined;
  const out = new Uint8Array(footer.footerStart + exposed.tail.length);
  out.set(bytes.subarray(0, footer.footerStart), 0);
  out.set(exposed.tail, footer.footerStart);
  return { bytes: out, columns: exposed.columns, leaves: exposed.leaves };
}

/**
 * The footer-only half of exposeInt96, for readers that fetch the footer alone: rewrites the
 * decoded FileMetaData in place and returns the new file tail (footer, length, "PAR1") to put
 * at the old footer's offset, or undefined when there is no INT96 column.
 */
export function exposeInt96Footer(meta: ThriftStruct): { tail: Uint8Array; columns: Set<string>; leaves: Set<number> } | undefined {
  const schema = ((field(meta, 2)?.value as ThriftList | undefined)?.items ?? []) as ThriftStruct[];
  const exposed = exposeInt96Schema(schema);
  if (!exposed) return undefined;
  const { leaves, names: columns } = exposed;
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
  return { tail, columns, leaves };
}

/**
 * Retypes the INT96 elements of a schema (root first, depth-first) as FIXED_LEN_BYTE_ARRAY(12),
 * in place, and returns their names and leaf indexes (the n-th primitive element is leaf n,
 * nested or not), or undefined when there is none. Leaf order is also the order of the Arrow leaves
 * parquet-wasm reads, which is how int96ToMicroBatches finds them again at any depth.
 */
export function exposeInt96Schema(schema: readonly ThriftStruct[]): { leaves: Set<number>; names: Set<string> } | undefined {
  const leaves = new Set<number>();
  const names = new Set<string>();
  let leaf = 0;
  for (const el of schema.slice(1)) {
    const children = field(el, 5)?.value;
    if (typeof children === 'number' && children > 0) continue;
    if (field(el, 1)?.value === INT96) {
      setField(el, 1, T.I32, FIXED_LEN_BYTE_ARRAY);
      setField(el, 2, T.I32, 12);
      names.add(new TextDecoder().decode(field(el, 4)?.value as Uint8Array));
      leaves.add(leaf);
    }
    leaf++;
  }
  return leaves.size > 0 ? { leaves, names } : undefined;
}

/** Converts the Arrow leaves at `leaves` (depth-first leaf indexes) from INT96 bytes to micros. */
export function int96LeavesToMicros(data: Data, leaves: ReadonlySet<number>): Data {
  let next = 0;
  const walk = (d: Data): Data => {
    const type = d.type as DataType;
    if (DataType.isStruct(type)) {
      const children = d.children.map(walk);
      if (children.every((c, i) => c === d.children[i])) return d;
      const fields = type.children.map((f, i) => (children[i]!.type === f.type ? f : new Field(f.name, children[i]!.type, f.nullable, f.metadata)));
      return makeData({ type: new Struct(fields), length: d.length, nullCount: d.nullCount, nullBitmap: bitmapOf(d), children } as never);
    }
    if (DataType.isList(type) || DataType.isMap(type)) {
      const child = walk(d.children[0]!);
      if (child === d.children[0]) return d;
      const f = type.children[0]!;
      const childField = new Field(f.name, child.type, f.nullable, f.metadata);
      const newType = DataType.isList(type) ? new List(childField) : new Map_(childField as Field<Struct>, type.keysSorted);
      // Offsets are sliced with the array (Arrow JS), so they start at this array's first row.
      const valueOffsets = (d.valueOffsets as Int32Array).subarray(0, d.length + 1);
      return makeData({ type: newType, length: d.length, nullCount: d.nullCount, nullBitmap: bitmapOf(d), valueOffsets, child } as never);
    }
    return leaves.has(next++) ? int96ToMicros(d) : d;
  };
  return walk(data);
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
