import { corruptData } from '../errors.js';
import { field, readStruct, type ThriftList, type ThriftStruct } from './thrift-compact.js';

/**
 * The Parquet footer (FileMetaData, parquet-format's parquet.thrift), read from the end of a file
 * without the data pages: enough to plan which row groups and column chunks a read needs.
 */
export interface ParquetFooter {
  /** Offset of the Thrift-encoded FileMetaData; the file is [data][footer][u32 length]["PAR1"]. */
  footerStart: number;
  /** The raw FileMetaData bytes. */
  footerBytes: Uint8Array;
  metadata: ThriftStruct;
}

/** What a row group's footer entry says about one top-level primitive column. */
export interface ColumnChunkStats {
  nullCount?: number;
  /** Plain-decoded bounds: integers (bigint beyond 2^53), or raw bytes for BYTE_ARRAY. */
  min?: number | bigint | Uint8Array;
  max?: number | bigint | Uint8Array;
  /** INT64 timestamps: their unit, from the schema's logical or converted type. */
  timeUnit?: 'ms' | 'us' | 'ns';
}

/** What a row group's footer entry says about one leaf column chunk, nested ones included. */
export interface LeafChunkInfo {
  /** Values, nulls included (repetition makes this differ from the row count). */
  numValues: number;
  /** Nulls, when the writer recorded statistics. */
  nullCount: number | undefined;
}

export interface RowGroupInfo {
  numRows: number;
  /** Keyed by top-level column name (nested columns are not listed). */
  columns: Map<string, ColumnChunkStats>;
  /** Every leaf column chunk, keyed by its dotted path (`add.path`, `metaData.id`). */
  leaves: Map<string, LeafChunkInfo>;
}

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

/**
 * Locates and decodes the footer given the file's last `tail` bytes (which end at the end of the
 * file). Returns the footer length still missing when `tail` is too short to hold it.
 */
export function parseFooter(tail: Uint8Array, fileSize: number): ParquetFooter | { missingBytes: number } {
  if (fileSize < 12 || tail.length < 8) throw corruptData('Parquet file', `not a Parquet file: ${fileSize} bytes`);
  const trailer = tail.subarray(tail.length - 8);
  if (MAGIC.some((b, i) => trailer[4 + i] !== b)) throw corruptData('Parquet file', 'not a Parquet file: no PAR1 magic at the end');
  const footerLen = new DataView(trailer.buffer, trailer.byteOffset, 4).getUint32(0, true);
  const footerStart = fileSize - 8 - footerLen;
  if (footerStart < 4) throw corruptData('Parquet file', `corrupt Parquet footer length ${footerLen} in a ${fileSize}-byte file`);
  if (footerLen + 8 > tail.length) return { missingBytes: footerLen + 8 - tail.length };
  const footerBytes = tail.subarray(tail.length - 8 - footerLen, tail.length - 8);
  try {
    return { footerStart, footerBytes, metadata: readStruct(footerBytes).value };
  } catch (err) {
    // Thrift decoding of damaged bytes fails in many ways (truncation, unknown types, stack depth).
    throw corruptData('Parquet file', `undecodable footer: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

const INT32 = 1;
const INT64 = 2;
const BYTE_ARRAY = 6;
const UNSIGNED_CONVERTED = new Set([11, 12, 13, 14]); // UINT_8 .. UINT_64: unsigned order
const TIMESTAMP_CONVERTED: Record<number, 'ms' | 'us'> = { 9: 'ms', 10: 'us' };

/**
 * Per row group: row count and, for top-level primitive columns, the footer statistics that are
 * safe as bounds in signed/byte order (unsigned integers and legacy byte-array min/max are left out).
 */
export function rowGroupInfos(metadata: ThriftStruct): RowGroupInfo[] {
  const schema = (list(metadata, 2) as ThriftStruct[]).slice(1);
  const topLevel = new Map<string, ThriftStruct>();
  // Direct children of the root: a group (num_children set) is nested and has no single chunk.
  for (let i = 0; i < schema.length; i++) {
    const el = schema[i]!;
    const children = field(el, 5)?.value as number | undefined;
    if (children === undefined) topLevel.set(text(el, 4), el);
    i += descendants(schema, i);
  }
  return (list(metadata, 4) as ThriftStruct[]).map((rg) => {
    const columns = new Map<string, ColumnChunkStats>();
    const leaves = new Map<string, LeafChunkInfo>();
    for (const cc of list(rg, 1) as ThriftStruct[]) {
      const md = field(cc, 3)?.value as ThriftStruct | undefined;
      if (!md) continue;
      const path = (list(md, 3) as Uint8Array[]).map((p) => new TextDecoder().decode(p));
      const stats = field(md, 12)?.value as ThriftStruct | undefined;
      const nulls = stats ? field(stats, 3)?.value : undefined;
      leaves.set(path.join('.'), { numValues: Number(field(md, 5)?.value ?? 0), nullCount: nulls === undefined ? undefined : Number(nulls) });
      const name = path.length === 1 ? path[0] : undefined;
      const el = name === undefined ? undefined : topLevel.get(name);
      if (name === undefined || !el) continue;
      columns.set(name, chunkStats(md, el));
    }
    return { numRows: Number(field(rg, 3)?.value ?? 0), columns, leaves };
  });
}

/**
 * Whether a row group may hold a non-null value in the leaf column `path`: false only when
 * the footer proves every value null (statistics present and null_count = num_values), or the
 * file lacks the column.
 */
export function mayHoldValues(rowGroup: RowGroupInfo, path: string): boolean {
  const info = rowGroup.leaves.get(path);
  if (!info) return false;
  return info.nullCount === undefined || info.nullCount < info.numValues;
}

function chunkStats(md: ThriftStruct, el: ThriftStruct): ColumnChunkStats {
  const out: ColumnChunkStats = {};
  const stats = field(md, 12)?.value as ThriftStruct | undefined;
  if (!stats) return out;
  const nulls = field(stats, 3)?.value;
  if (nulls !== undefined) out.nullCount = Number(nulls);
  const type = field(md, 1)?.value as number;
  const converted = field(el, 6)?.value as number | undefined;
  if (converted !== undefined && UNSIGNED_CONVERTED.has(converted)) return out;
  const logical = field(el, 10)?.value as ThriftStruct | undefined;
  const intType = logical ? field(logical, 10)?.value as ThriftStruct | undefined : undefined;
  if (intType && field(intType, 2)?.value === false) return out; // INTEGER(isSigned = false)
  if (type === INT64) {
    const unit = timeUnitOf(el, converted);
    if (unit) out.timeUnit = unit;
  }
  // min_value/max_value (6/5) follow the column's sort order; the deprecated min/max (2/1) are
  // signed for integers but unreliable for byte arrays.
  const raw = (modern: number, legacy: number): Uint8Array | undefined =>
    (field(stats, modern)?.value ?? (type === BYTE_ARRAY ? undefined : field(stats, legacy)?.value)) as Uint8Array | undefined;
  const decode = (b: Uint8Array | undefined): number | bigint | Uint8Array | undefined => {
    if (!b) return undefined;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (type === INT32 && b.length === 4) return view.getInt32(0, true);
    if (type === INT64 && b.length === 8) {
      const v = view.getBigInt64(0, true);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    if (type === BYTE_ARRAY) return b;
    return undefined; // floats (NaN ordering), booleans, INT96, fixed-length: not used for skipping
  };
  const min = decode(raw(6, 2));
  const max = decode(raw(5, 1));
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  return out;
}

function timeUnitOf(el: ThriftStruct, converted: number | undefined): 'ms' | 'us' | 'ns' | undefined {
  const logical = field(el, 10)?.value as ThriftStruct | undefined;
  const ts = logical ? field(logical, 8)?.value as ThriftStruct | undefined : undefined;
  const unit = ts ? field(ts, 2)?.value as ThriftStruct | undefined : undefined;
  if (unit) return unit.fields[0]?.id === 1 ? 'ms' : unit.fields[0]?.id === 2 ? 'us' : 'ns';
  return converted === undefined ? undefined : TIMESTAMP_CONVERTED[converted];
}

/** How many schema elements below element `i` belong to it (depth-first layout). */
function descendants(schema: ThriftStruct[], i: number): number {
  let pending = (field(schema[i]!, 5)?.value as number | undefined) ?? 0;
  let n = 0;
  while (pending > 0) {
    n++;
    pending += ((field(schema[i + n]!, 5)?.value as number | undefined) ?? 0) - 1;
  }
  return n;
}

function list(s: ThriftStruct, id: number): unknown[] {
  return ((field(s, id)?.value as ThriftList | undefined)?.items ?? []) as unknown[];
}

function text(s: ThriftStruct, id: number): string {
  return new TextDecoder().decode(field(s, id)?.value as Uint8Array);
}
