import type { RecordBatch } from 'apache-arrow';
import { batchBytes } from '../../format/arrow-size.js';
import type { FileActionChunk } from '../../log/read-checkpoint.js';
import type { Action, Version } from '../../protocol/actions.js';
import type { ObjectMeta } from '../../storage/object-store.js';

/*
 * The last checkpoint this process wrote of each table, kept in memory so that the next one
 * (ten commits later, by default) starts from its rows instead of reading and decoding the file
 * it just encoded. A long-lived writer (the stream sink, an append loop) pays for a checkpoint
 * what changed since the last one plus the encode, not a read of the whole previous checkpoint.
 *
 * Any checkpoint of version v holds the same table state, so the rows stand for `v` as long as
 * the table is the one they were taken from: the checkpoint file must still be the one written,
 * same size, modification time and last bytes. A table deleted and made again at the same place
 * has another file there, or none; on S3, whose times have whole seconds, a same-sized file
 * written within the second still differs in its footer (it holds the statistics of the paths,
 * which are unique to each file).
 */
export interface CarriedCheckpoint {
  version: Version;
  /** The checkpoint file as it was right after the put. */
  file: ObjectMeta;
  /** Its last bytes (up to TAIL_BYTES): the Parquet footer, compared before the rows are used. */
  tail: Uint8Array;
  /** Its protocol, metaData, txn, domainMetadata (and checkpointMetadata) actions. */
  nonFileActions: readonly Action[];
  /** Its file rows (adds and tombstones), as the batches that were encoded. */
  fileBatches: readonly RecordBatch[];
}

const carried = new Map<string, CarriedCheckpoint>();
/** How much of the file's end is kept and compared. */
export const TAIL_BYTES = 64 * 1024;
/** Tables remembered at once, least recently used dropped first. */
const MAX_TABLES = 4;
/** Larger checkpoints are not kept: their rows would cost more memory than the read they save. */
export const MAX_CARRIED_BYTES = 32 * 2 ** 20;

/** The carried checkpoint of the table at `rootUri`, if this process wrote one. */
export function carriedCheckpoint(rootUri: string): CarriedCheckpoint | undefined {
  return carried.get(rootUri);
}

/** Keeps `checkpoint` for the next one, replacing the table's previous entry (dropped if too large). */
export function carryCheckpoint(rootUri: string, checkpoint: CarriedCheckpoint): void {
  carried.delete(rootUri);
  if (checkpoint.fileBatches.reduce((n, b) => n + batchBytes(b), 0) > MAX_CARRIED_BYTES) return;
  carried.set(rootUri, checkpoint);
  if (carried.size > MAX_TABLES) carried.delete(carried.keys().next().value!);
}

/** Forgets the table's carried checkpoint (its file changed, or was not what it should be). */
export function dropCarriedCheckpoint(rootUri: string): void {
  carried.delete(rootUri);
}

/**
 * The carried file rows as checkpoint chunks: each batch's add column, then its remove column.
 * A batch of one kind of row only (as the checkpoint writer joins them) is its chunk's `whole`.
 */
export function* carriedChunks(checkpoint: CarriedCheckpoint): Generator<FileActionChunk> {
  const where = `the checkpoint of version ${checkpoint.version} kept in memory`;
  for (const batch of checkpoint.fileBatches) {
    for (const kind of ['add', 'remove'] as const) {
      const column = batch.getChild(kind)?.data[0];
      if (!column || column.nullCount === column.length) continue;
      yield column.nullCount === 0 ? { kind, column, where, whole: batch } : { kind, column, where };
    }
  }
}
