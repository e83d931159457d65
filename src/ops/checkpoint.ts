import { DataType, makeData, RecordBatch, Struct, vectorFromArray } from 'apache-arrow';
import { writeParquetBytes } from '../format/parquet.js';
import { CHECKPOINT_SCHEMA } from '../log/checkpoint-schema.js';
import type { Action, Version } from '../protocol/actions.js';
import { deletedFileRetentionMs } from '../protocol/intervals.js';
import { serializeLastCheckpoint } from '../protocol/last-checkpoint.js';
import { checkpointPath, lastCheckpointPath } from '../protocol/log-paths.js';
import type { Snapshot } from '../snapshot/snapshot.js';

/** Rows per Arrow batch while building a checkpoint: bounds the JS objects alive at once. */
const ROWS_PER_BATCH = 20_000;

export interface CheckpointResult {
  version: Version;
  /** Number of actions in the checkpoint. */
  size: number;
  sizeInBytes: number;
  numOfAddFiles: number;
}

/**
 * Writes a classic checkpoint of `snapshot` (PROTOCOL.md "Checkpoints"): protocol, metaData,
 * app transactions, live domain metadata, live files and unexpired tombstones, as one Parquet
 * object put atomically; `_last_checkpoint` is updated only after it, so a crash in between
 * leaves the previous pointer, which stays valid.
 */
export async function writeCheckpoint(snapshot: Snapshot, opts: { now?: () => number } = {}): Promise<CheckpointResult> {
  const now = (opts.now ?? Date.now)();
  const retention = deletedFileRetentionMs(snapshot.configuration);
  const actions = function* (): Generator<Action> {
    yield { protocol: snapshot.protocol };
    yield { metaData: snapshot.metadata };
    for (const txn of snapshot.txns.values()) yield { txn };
    for (const domainMetadata of snapshot.domains.values()) yield { domainMetadata };
    for (const f of snapshot.files) yield { add: { ...f.add, dataChange: false } };
    for (const r of snapshot.tombstones) {
      // Tombstones are kept until their retention expires so VACUUM still protects the files.
      if ((r.deletionTimestamp ?? 0) + retention > now) {
        const { stats: _stats, tags: _tags, ...rest } = r;
        yield { remove: { ...rest, dataChange: false } };
      }
    }
  };
  const batches: RecordBatch[] = [];
  let rows: Action[] = [];
  let size = 0;
  for (const a of actions()) {
    rows.push(a);
    size++;
    if (rows.length === ROWS_PER_BATCH) {
      batches.push(toBatch(rows));
      rows = [];
    }
  }
  if (rows.length > 0) batches.push(toBatch(rows));
  const bytes = writeParquetBytes(batches, { compression: 'snappy' });
  await snapshot.store.put(checkpointPath(snapshot.version), bytes);
  const result: CheckpointResult = { version: snapshot.version, size, sizeInBytes: bytes.length, numOfAddFiles: snapshot.files.length };
  await snapshot.store.put(lastCheckpointPath, new TextEncoder().encode(serializeLastCheckpoint(result)));
  return result;
}

/** One Arrow batch with one checkpoint row per action (the other action columns null). */
function toBatch(actions: Action[]): RecordBatch {
  const children = CHECKPOINT_SCHEMA.fields.map((field) => {
    const values = actions.map((a) => toCell(field.name, a));
    return vectorFromArray(values, field.type as DataType).data[0]!;
  });
  return new RecordBatch(CHECKPOINT_SCHEMA, makeData({ type: new Struct(CHECKPOINT_SCHEMA.fields), length: actions.length, nullCount: 0, children }));
}

function toCell(column: string, action: Action): unknown {
  if (!(column in action)) return null;
  const type = CHECKPOINT_SCHEMA.fields.find((f) => f.name === column)!.type as DataType;
  return typed((action as unknown as Record<string, unknown>)[column], type);
}

/** A JS value shaped for the Arrow builders of `type`: bigint longs, Map maps, nested structs. */
function typed(v: unknown, type: DataType): unknown {
  if (v === undefined || v === null) return null;
  if (DataType.isInt(type) && type.bitWidth === 64) return BigInt(v as number);
  if (DataType.isStruct(type)) {
    const obj = v as Record<string, unknown>;
    return Object.fromEntries(type.children.map((f) => [f.name, typed(obj[f.name], f.type as DataType)]));
  }
  if (DataType.isMap(type)) {
    const valueType = (type.children[0]!.type as DataType).children[1]!.type as DataType;
    return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, typed(x, valueType)]));
  }
  if (DataType.isList(type)) return (v as unknown[]).map((x) => typed(x, type.children[0]!.type as DataType));
  return v;
}
