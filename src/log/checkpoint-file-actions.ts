import { isAscii } from 'node:buffer';
import { DataType, type Data } from 'apache-arrow';
import { corruptLog } from '../errors.js';
import { setOwn } from './arrow-rows.js';
import type { AddAction, DeletionVectorDescriptor, RemoveAction } from '../protocol/actions.js';

/**
 * Reads the `add` or `remove` struct column of a checkpoint batch column by column, straight
 * from the Arrow buffers: per-row struct proxies cost ~10x the Parquet decode on 100k files.
 */
export function fileActionsFromColumn(column: Data, kind: 'add' | 'remove', where: string): Array<AddAction | RemoveAction> {
  const { child, at } = childrenOf(column);
  const str = reader(child('path'), at);
  const stats = reader(child('stats'), at);
  const size = reader(child('size'), at);
  const modificationTime = reader(child('modificationTime'), at);
  const deletionTimestamp = reader(child('deletionTimestamp'), at);
  const dataChange = reader(child('dataChange'), at);
  const extended = reader(child('extendedFileMetadata'), at);
  const baseRowId = reader(child('baseRowId'), at);
  const defaultRowCommitVersion = reader(child('defaultRowCommitVersion'), at);
  const partitionValues = mapReader(child('partitionValues'), at);
  const tags = mapReader(child('tags'), at);
  const dv = dvReader(child('deletionVector'), at);
  const out: Array<AddAction | RemoveAction> = [];
  for (let row = 0; row < column.length; row++) {
    if (!column.getValid(row)) continue;
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
  const { child, at } = childrenOf(column);
  const path = reader(child('path'), at);
  const dv = dvReader(child('deletionVector'), at);
  const deletionTimestamp = reader(child('deletionTimestamp'), at);
  return (row) => {
    if (!column.getValid(row)) return undefined;
    const p = path(row) as string | null;
    if (p === null) throw corruptLog(where, `file action row ${row} has no path`);
    return { path: p, deletionVector: dv(row) ?? undefined, deletionTimestamp: (deletionTimestamp(row) as number | null) ?? undefined };
  };
}

/** Named children of a struct column, and the index into a child of a row of the parent. */
function childrenOf(column: Data): { child: (name: string) => Data | undefined; at: At } {
  const names = (column.type as DataType).children.map((f) => f.name);
  return {
    child: (name) => {
      const i = names.indexOf(name);
      return i >= 0 ? column.children[i] : undefined;
    },
    at: (d, row) => column.offset + row - (d?.offset ?? 0),
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

type At = (d: Data | undefined, row: number) => number;
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
    if (values.length <= MAX_ASCII_BUFFER && isAscii(values)) {
      text = Buffer.from(values.buffer, values.byteOffset, values.length).toString('latin1');
    }
    asciiBuffers.set(values, text);
  }
  return text ?? undefined;
}

/** Reads one scalar child (string, integer as number, or boolean) at a parent row. */
function reader(d: Data | undefined, at: At): (row: number) => unknown {
  if (!d) return () => null;
  const type = d.type as DataType;
  const ascii = DataType.isUtf8(type) ? asciiText(d.values as Uint8Array) : undefined;
  return (row) => {
    const i = at(d, row);
    if (!d.getValid(i)) return null;
    const abs = d.offset + i;
    if (DataType.isUtf8(type)) {
      const o = d.valueOffsets as Int32Array;
      if (ascii !== undefined) return ascii.slice(o[abs]!, o[abs + 1]!);
      return decoder.decode((d.values as Uint8Array).subarray(o[abs]!, o[abs + 1]!));
    }
    if (DataType.isBool(type)) return (((d.values as Uint8Array)[abs >> 3]! >> (abs & 7)) & 1) === 1;
    return Number((d.values as ArrayLike<number | bigint>)[abs]!);
  };
}

function mapReader(d: Data | undefined, at: At): (row: number) => Record<string, string | null> | null {
  if (!d) return () => null;
  const entries = d.children[0]!;
  const keys = entries.children[0]!;
  const vals = entries.children[1]!;
  const o = d.valueOffsets as Int32Array;
  const k = reader(keys, (x, r) => entries.offset + r - (x?.offset ?? 0));
  const v = reader(vals, (x, r) => entries.offset + r - (x?.offset ?? 0));
  return (row) => {
    const i = at(d, row);
    if (!d.getValid(i)) return null;
    const out: Record<string, string | null> = {};
    for (let e = o[d.offset + i]!; e < o[d.offset + i + 1]!; e++) setOwn(out, k(e) as string, v(e));
    return out;
  };
}

function dvReader(d: Data | undefined, at: At): (row: number) => DeletionVectorDescriptor | null {
  if (!d) return () => null;
  const names = (d.type as DataType).children.map((f) => f.name);
  const c = (n: string): Data | undefined => d.children[names.indexOf(n)];
  const sub: At = (x, r) => d.offset + r - (x?.offset ?? 0);
  const storageType = reader(c('storageType'), sub);
  const pathOrInlineDv = reader(c('pathOrInlineDv'), sub);
  const offset = reader(c('offset'), sub);
  const sizeInBytes = reader(c('sizeInBytes'), sub);
  const cardinality = reader(c('cardinality'), sub);
  return (row) => {
    const i = at(d, row);
    if (!d.getValid(i)) return null;
    return {
      storageType: storageType(i) as DeletionVectorDescriptor['storageType'], pathOrInlineDv: pathOrInlineDv(i) as string,
      ...opt('offset', offset(i)), sizeInBytes: sizeInBytes(i) as number, cardinality: cardinality(i) as number,
    } as DeletionVectorDescriptor;
  };
}
