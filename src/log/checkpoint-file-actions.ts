import { isAsciiBytes, latin1String } from '../format/byte-text.js';
import { DataType, makeData, Struct, type Data } from 'apache-arrow';
import { corruptLog } from '../errors.js';
import { joinedPathsMayNeedWork } from '../protocol/path-gate.js';
import { setOwn } from './arrow-rows.js';
import type { AddAction, DeletionVectorDescriptor, RemoveAction } from '../protocol/actions.js';

/**
 * Reads the `add` or `remove` struct column of a checkpoint batch column by column, straight
 * from the Arrow buffers: per-row struct proxies cost ~10x the Parquet decode on 100k files.
 */
export function fileActionsFromColumn(
  column: Data, kind: 'add' | 'remove', where: string, keep?: (row: number) => boolean,
): Array<AddAction | RemoveAction> {
  const { child } = childrenOf(column);
  const str = reader(child('path'));
  const stats = reader(child('stats'));
  const size = reader(child('size'));
  const modificationTime = reader(child('modificationTime'));
  const deletionTimestamp = reader(child('deletionTimestamp'));
  const dataChange = reader(child('dataChange'));
  const extended = reader(child('extendedFileMetadata'));
  const baseRowId = reader(child('baseRowId'));
  const defaultRowCommitVersion = reader(child('defaultRowCommitVersion'));
  const partitionValues = mapReader(child('partitionValues'), EMPTY_PARTITION_VALUES);
  const tags = mapReader(child('tags'));
  const dv = dvReader(child('deletionVector'));
  const valid = validity(column);
  const out: Array<AddAction | RemoveAction> = [];
  for (let row = 0; row < column.length; row++) {
    if (!valid(row) || (keep && !keep(row))) continue;
    const path = str(row) as string | null;
    if (path === null) throw corruptLog(where, `${kind} row ${row} has no path`);
    // Properties are set one by one on a single object: object spreads per row made a million-file
    // checkpoint spend more time collecting garbage than decoding.
    const a: Record<string, unknown> = { path };
    if (kind === 'add') {
      const s = size(row);
      if (s === null) throw corruptLog(where, `add row ${row} (${path}) has no size`);
      a['partitionValues'] = partitionValues(row) ?? EMPTY_PARTITION_VALUES;
      a['size'] = s;
      a['modificationTime'] = modificationTime(row) ?? 0;
      a['dataChange'] = dataChange(row) ?? false;
    } else {
      a['dataChange'] = dataChange(row) ?? false;
      setIfPresent(a, 'deletionTimestamp', deletionTimestamp(row));
      setIfPresent(a, 'extendedFileMetadata', extended(row));
      setIfPresent(a, 'partitionValues', partitionValues(row));
      setIfPresent(a, 'size', size(row));
    }
    setIfPresent(a, 'stats', stats(row));
    setIfPresent(a, 'tags', tags(row));
    setIfPresent(a, 'deletionVector', dv(row));
    setIfPresent(a, 'baseRowId', baseRowId(row));
    setIfPresent(a, 'defaultRowCommitVersion', defaultRowCommitVersion(row));
    out.push(a as unknown as AddAction | RemoveAction);
  }
  return out;
}

/**
 * Checks, from validity bitmaps alone, that every action row of an `add`/`remove` column has
 * what fileActionsFromColumn requires (a path; for an add, a size), and counts the rows. After
 * this passes, building the actions later cannot fail: a file list can wait until it is used.
 */
export function checkFileRows(column: Data, kind: 'add' | 'remove', where: string): number {
  const { child } = childrenOf(column);
  const valid = validity(column);
  const pathData = child('path');
  const sizeData = child('size');
  const hasPath = pathData ? validity(pathData) : () => false;
  const hasSize = kind === 'remove' ? ALL_VALID : sizeData ? validity(sizeData) : () => false;
  let rows = 0;
  for (let row = 0; row < column.length; row++) {
    if (!valid(row)) continue;
    if (!hasPath(row)) throw corruptLog(where, `${kind} row ${row} has no path`);
    if (!hasSize(row)) throw corruptLog(where, `add row ${row} (${String(reader(pathData)(row))}) has no size`);
    rows++;
  }
  return rows;
}

/**
 * Whether every path of the column is a plain relative name, which the path gate passes through
 * unchanged and can never refuse (so resolving it later cannot fail): checked on the whole
 * ASCII buffer at once plus each path's first byte. False also when unsure (non-ASCII text).
 */
export function pathsArePlain(column: Data): boolean {
  const d = childrenOf(column).child('path');
  if (!d) return false;
  const values = d.values as Uint8Array;
  // Not asciiText: its cache lives as long as the column, and a held column would hold its
  // paths twice (45 MiB on a million files).
  if (!isAsciiBytes(values) || joinedPathsMayNeedWork(latin1String(values))) return false;
  const o = d.valueOffsets as Int32Array;
  const valid = validity(d);
  for (let i = 0; i < d.length; i++) {
    if (!valid(i) || o[i] === o[i + 1]) continue;
    const first = values[o[i]!];
    if (first === 0x2f || first === 0x2e) return false; // '/' or '.'
  }
  return true;
}

/**
 * The struct column without its all-null children, for holding it: Arrow keeps a fixed-width
 * buffer for a column that is null throughout (a million files' deletion vectors, row ids), and
 * readers here take a missing child as null.
 */
export function withoutNullChildren(column: Data): Data {
  const type = column.type as Struct;
  const keep = column.children.flatMap((c, i) => (c.nullCount < c.length ? [i] : []));
  if (keep.length === column.children.length) return column;
  return makeData({
    type: new Struct(keep.map((i) => type.children[i]!)), offset: column.offset, length: column.length,
    nullCount: column.nullCount, nullBitmap: column.nullBitmap, children: keep.map((i) => column.children[i]!),
  });
}

/** A reader of each row's `partitionValues` map (a shared empty object for an empty map). */
export function partitionValuesOf(column: Data): (row: number) => Readonly<Record<string, string | null>> {
  const read = mapReader(childrenOf(column).child('partitionValues'), EMPTY_PARTITION_VALUES);
  return (row) => read(row) ?? EMPTY_PARTITION_VALUES;
}

/** The sum of `add.size` over the action rows of an `add` column that `keep` accepts (all when absent). */
export function sizeTotal(column: Data, keep?: (row: number) => boolean): number {
  const valid = validity(column);
  const size = reader(childrenOf(column).child('size'));
  let total = 0;
  for (let row = 0; row < column.length; row++) {
    if (valid(row) && (!keep || keep(row))) total += (size(row) as number | null) ?? 0;
  }
  return total;
}

/** What replay and checkpointing need of one checkpoint file row, without building the action. */
export interface FileRowIdentity {
  path: string;
  deletionVector: DeletionVectorDescriptor | undefined;
  deletionTimestamp: number | undefined;
}

/**
 * A reader of the identity of each row of an `add`/`remove` struct column: undefined for null
 * rows. Decodes only path, deletion vector and deletion timestamp.
 */
export function fileRowIdentities(column: Data, where: string): (row: number) => FileRowIdentity | undefined {
  const { child } = childrenOf(column);
  const path = reader(child('path'));
  const dv = dvReader(child('deletionVector'));
  const deletionTimestamp = reader(child('deletionTimestamp'));
  const valid = validity(column);
  return (row) => {
    if (!valid(row)) return undefined;
    const p = path(row) as string | null;
    if (p === null) throw corruptLog(where, `file action row ${row} has no path`);
    return { path: p, deletionVector: dv(row) ?? undefined, deletionTimestamp: (deletionTimestamp(row) as number | null) ?? undefined };
  };
}

/**
 * Named children of a struct column. Arrow JS slices children with their parent, and values and
 * offsets buffers with their array, so row r of the struct is row r of each child, read at r.
 */
function childrenOf(column: Data): { child: (name: string) => Data | undefined } {
  const names = (column.type as DataType).children.map((f) => f.name);
  return {
    child: (name) => {
      const i = names.indexOf(name);
      return i >= 0 ? column.children[i] : undefined;
    },
  };
}

/** Shared by every unpartitioned add: actions are never mutated, and a million empty objects add up. */
const EMPTY_PARTITION_VALUES: Record<string, string | null> = Object.freeze({}) as Record<string, string | null>;

function setIfPresent(target: Record<string, unknown>, key: string, v: unknown): void {
  if (v !== null && v !== undefined) target[key] = v;
}

function opt<K extends string>(key: K, v: unknown): Partial<Record<K, unknown>> {
  return v === null || v === undefined ? {} : ({ [key]: v } as Record<K, unknown>);
}

const decoder = new TextDecoder();

/**
 * The whole string buffer as one JS string when it is pure ASCII (paths and stats nearly always
 * are), so each value is a cheap slice of it instead of a TextDecoder call: on a million files,
 * per-value decoding was a fifth of the open time. Undefined when any byte is not ASCII.
 */
const asciiBuffers = new WeakMap<Uint8Array, string | null>();
const MAX_ASCII_BUFFER = 256 * 2 ** 20;
function asciiText(values: Uint8Array): string | undefined {
  let text = asciiBuffers.get(values);
  if (text === undefined) {
    text = null;
    if (values.length <= MAX_ASCII_BUFFER && isAsciiBytes(values)) {
      text = latin1String(values);
    }
    asciiBuffers.set(values, text);
  }
  return text ?? undefined;
}

const ALL_VALID = (): boolean => true;

/**
 * Row validity of a column, read from its bitmap directly: Arrow's getValid re-checks the type
 * (union or not) and the null count on every call, a tenth of a million-file open. The bitmap
 * counts from the array's offset (Arrow JS slices it with the array, not the bits).
 */
function validity(d: Data): (row: number) => boolean {
  const bits = d.nullBitmap as Uint8Array | undefined;
  if (d.nullCount === 0 || !bits || bits.length === 0) return ALL_VALID;
  const offset = d.offset;
  return (i) => {
    const bit = offset + i;
    return ((bits[bit >> 3]! >> (bit & 7)) & 1) === 1;
  };
}

/**
 * Reads one scalar child (string, integer as number, or boolean) at a parent row. The type is
 * looked at once, here, so each row costs one closure call and no type test.
 */
function reader(d: Data | undefined): (row: number) => unknown {
  if (!d) return () => null;
  const type = d.type as DataType;
  const valid = validity(d);
  // Arrow JS slices offsets and fixed-width values with the array; booleans keep a bit offset.
  if (DataType.isUtf8(type)) {
    const o = d.valueOffsets as Int32Array;
    const values = d.values as Uint8Array;
    const ascii = asciiText(values);
    if (ascii !== undefined) return (i) => (valid(i) ? ascii.slice(o[i]!, o[i + 1]!) : null);
    return (i) => (valid(i) ? decoder.decode(values.subarray(o[i]!, o[i + 1]!)) : null);
  }
  if (DataType.isBool(type)) {
    const values = d.values as Uint8Array;
    const offset = d.offset;
    return (i) => {
      if (!valid(i)) return null;
      const bit = offset + i;
      return ((values[bit >> 3]! >> (bit & 7)) & 1) === 1;
    };
  }
  const values = d.values as ArrayLike<number | bigint>;
  return (i) => (valid(i) ? Number(values[i]!) : null);
}

/** Reads a string map child; `empty`, when given, stands for every empty map (no object per row). */
function mapReader(d: Data | undefined, empty?: Record<string, string | null>): (row: number) => Record<string, string | null> | null {
  if (!d) return () => null;
  const entries = d.children[0]!;
  const keys = entries.children[0]!;
  const vals = entries.children[1]!;
  const o = d.valueOffsets as Int32Array;
  // Entry k of the map is row k of the entries struct and of its key and value children.
  const k = reader(keys);
  const v = reader(vals);
  const valid = validity(d);
  return (i) => {
    if (!valid(i)) return null;
    if (empty && o[i] === o[i + 1]) return empty;
    const out: Record<string, string | null> = {};
    for (let e = o[i]!; e < o[i + 1]!; e++) setOwn(out, k(e) as string, v(e));
    return out;
  };
}

function dvReader(d: Data | undefined): (row: number) => DeletionVectorDescriptor | null {
  if (!d) return () => null;
  const names = (d.type as DataType).children.map((f) => f.name);
  const c = (n: string): Data | undefined => d.children[names.indexOf(n)];
  const storageType = reader(c('storageType'));
  const pathOrInlineDv = reader(c('pathOrInlineDv'));
  const offset = reader(c('offset'));
  const sizeInBytes = reader(c('sizeInBytes'));
  const cardinality = reader(c('cardinality'));
  const valid = validity(d);
  return (i) => {
    if (!valid(i)) return null;
    return {
      storageType: storageType(i) as DeletionVectorDescriptor['storageType'], pathOrInlineDv: pathOrInlineDv(i) as string,
      ...opt('offset', offset(i)), sizeInBytes: sizeInBytes(i) as number, cardinality: cardinality(i) as number,
    } as DeletionVectorDescriptor;
  };
}
