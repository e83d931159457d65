import type { RecordBatch } from 'apache-arrow';
import { writeParquetStream } from '../../format/parquet-stream-writer.js';
import { actionsToBatch, checkpointSchema } from '../../log/checkpoint-batches.js';
import { CHECKPOINT_SCHEMA } from '../../log/checkpoint-schema.js';
import { listLogSegment } from '../../log/list-log.js';
import type { LogSegment } from '../../log/log-segment.js';
import { isDeltaError } from '../../errors.js';
import { CheckpointSource } from '../../log/read-checkpoint.js';
import { readCommits } from '../../log/read-commit.js';
import type { Action, Version } from '../../protocol/actions.js';
import { deletedFileRetentionMs } from '../../protocol/table-config.js';
import { serializeLastCheckpoint } from '../../protocol/last-checkpoint.js';
import { checkpointPath, lastCheckpointPath } from '../../protocol/log-paths.js';
import { logPathKey } from '../../protocol/path-gate.js';
import { Replayer } from '../../snapshot/replay.js';
import { checkProtocolAndMetadata } from '../../snapshot/snapshot.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { checkpointAdd, checkpointRemove, dropExpiredTombstones, survivingRows, widen, type RowFilter } from './checkpoint-rows.js';

/**
 * Commits are read (and turned into Arrow rows) a group at a time: at most this many commits, and
 * no more JSON than TAIL_BYTES_PER_READ unless one commit alone is larger. Bounds the parsed
 * actions alive at once when the commits since the last checkpoint hold many files.
 */
const COMMITS_PER_READ = 8;
const TAIL_BYTES_PER_READ = 16 * 2 ** 20;
/** Rows per batch built from action objects: bounds the JS objects alive at once. */
const ROWS_PER_BATCH = 20_000;

export interface CheckpointResult {
  version: Version;
  /** Number of actions in the checkpoint. */
  size: number;
  sizeInBytes: number;
  numOfAddFiles: number;
}

/**
 * Writes a classic checkpoint of `version` (default: latest), PROTOCOL.md "Checkpoints":
 * protocol, metaData, app transactions, live domain metadata, live files and unexpired
 * tombstones. It is built from the log, streaming, never from a list of every file:
 *
 *   commits after the previous checkpoint, newest first, a few at a time
 *        ──> keys they touched; their adds and tombstones as Arrow rows
 *   previous checkpoint's non-file actions ──> protocol, metaData, txns, domains no commit replaced
 *   previous checkpoint's file rows, chunk by chunk ──> those no commit touched, copied column-wise
 *        ──> one Parquet file encoded as the rows stream by ──> put ──> _last_checkpoint
 *
 * The checkpoint is one object put atomically and `_last_checkpoint` is updated only after it,
 * so a crash at any point leaves the previous pointer, which stays valid.
 */
export async function writeCheckpoint(store: ObjectStore, opts: { version?: Version; now?: () => number } = {}): Promise<CheckpointResult> {
  const now = (opts.now ?? Date.now)();
  // As loadSnapshot does: a previous checkpoint that cannot be read is passed over for an older
  // one (or the commits from 0), so a damaged checkpoint is replaced, not a reason to stop.
  const excluded = new Set<Version>();
  for (;;) {
    const segment = await listLogSegment(store, { ...(opts.version === undefined ? {} : { version: opts.version }), excludeCheckpoints: excluded });
    let built: { version: Version; bytes: Uint8Array; counts: { size: number; numOfAddFiles: number } };
    try {
      built = await buildCheckpoint(store, segment, now);
    } catch (err) {
      if (!segment.checkpoint || !(isDeltaError(err, 'CORRUPT_LOG') || isDeltaError(err, 'FILE_NOT_FOUND'))) throw err;
      excluded.add(segment.checkpoint.version);
      continue;
    }
    const { version, bytes, counts } = built;
    await store.put(checkpointPath(version), bytes);
    const result: CheckpointResult = { version, size: counts.size, sizeInBytes: bytes.length, numOfAddFiles: counts.numOfAddFiles };
    await store.put(lastCheckpointPath, new TextEncoder().encode(serializeLastCheckpoint(result)));
    return result;
  }
}

/** The checkpoint Parquet of `segment`'s version, streamed from its commits and previous checkpoint. */
async function buildCheckpoint(
  store: ObjectStore, segment: LogSegment, now: number,
): Promise<{ version: Version; bytes: Uint8Array; counts: { size: number; numOfAddFiles: number } }> {
  const replayer = new Replayer((p) => logPathKey(p, store.rootUri));
  // The commits' own file actions, as Arrow rows of the classic schema (widened when written).
  const tail: RecordBatch[] = [];
  for (const group of readGroups([...segment.commits].reverse())) {
    for (const actions of await readCommits(store, group)) replayer.applyCommit(actions);
    const { adds, tombstones } = replayer.state;
    for (let j = 0; j < adds.length; j += ROWS_PER_BATCH) tail.push(actionsToBatch(adds.slice(j, j + ROWS_PER_BATCH).map(checkpointAdd), CHECKPOINT_SCHEMA));
    for (let j = 0; j < tombstones.length; j += ROWS_PER_BATCH) tail.push(actionsToBatch(tombstones.slice(j, j + ROWS_PER_BATCH).map(checkpointRemove), CHECKPOINT_SCHEMA));
    adds.length = 0;
    tombstones.length = 0;
  }
  const source = segment.checkpoint ? await CheckpointSource.open(store, segment.checkpoint) : undefined;
  const version = segment.version;
  for (const a of source?.nonFileActions ?? []) replayer.applyNonFile(a);
  const { protocol, metadata } = checkProtocolAndMetadata(replayer.state, version, store.rootUri);
  const v2 = protocol.writerFeatures?.includes('v2Checkpoint') ?? false;
  const schema = checkpointSchema(v2);
  // Tombstones are kept until their retention expires so VACUUM still protects the files.
  const tombstoneCutoff = now - deletedFileRetentionMs(metadata.configuration);
  const keep: RowFilter = {
    anyTouched: replayer.touched.size > 0,
    survives: (path, dv) => replayer.survivesCheckpoint(path, dv),
    unexpired: (deletionTimestamp) => (deletionTimestamp ?? 0) > tombstoneCutoff,
  };

  const header: Action[] = [{ protocol }, { metaData: metadata }];
  for (const txn of replayer.state.txns.values()) header.push({ txn });
  for (const domainMetadata of replayer.state.domains.values()) header.push({ domainMetadata });
  if (v2) header.push({ checkpointMetadata: { version } });
  const counts = { size: 0, numOfAddFiles: 0 };
  async function* rows(): AsyncGenerator<RecordBatch> {
    yield actionsToBatch(header, schema);
    while (tail.length > 0) yield widen(dropExpiredTombstones(tail.shift()!, keep), schema);
    if (!source) return;
    for await (const chunk of source.fileActionChunks()) yield survivingRows(chunk, keep, schema);
  }
  const bytes = await writeParquetStream(counted(rows(), counts));
  return { version, bytes, counts };
}

/** Commit versions in read order, grouped by COMMITS_PER_READ and TAIL_BYTES_PER_READ. */
function readGroups(commits: ReadonlyArray<{ version: Version; file: { sizeBytes: number } }>): Version[][] {
  const groups: Version[][] = [];
  let group: Version[] = [];
  let bytes = 0;
  for (const c of commits) {
    if (group.length > 0 && (group.length === COMMITS_PER_READ || bytes + c.file.sizeBytes > TAIL_BYTES_PER_READ)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(c.version);
    bytes += c.file.sizeBytes;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Passes batches through, counting rows and add rows for `_last_checkpoint`. */
async function* counted(batches: AsyncIterable<RecordBatch>, counts: { size: number; numOfAddFiles: number }): AsyncGenerator<RecordBatch> {
  for await (const batch of batches) {
    if (batch.numRows === 0) continue;
    const adds = batch.getChild('add')!.data[0]!;
    counts.size += batch.numRows;
    counts.numOfAddFiles += adds.length - adds.nullCount;
    yield batch;
  }
}
