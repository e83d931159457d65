import type { RecordBatch, Schema } from 'apache-arrow';
import { concatBatches } from '../../format/arrow-concat.js';
import { batchBytes } from '../../format/arrow-size.js';
import { compareBytes } from '../../format/byte-text.js';
import { writeParquetStream } from '../../format/parquet-stream-writer.js';
import { actionsToBatch, checkpointSchema } from '../../log/checkpoint-batches.js';
import { CHECKPOINT_SCHEMA } from '../../log/checkpoint-schema.js';
import { listLogSegment } from '../../log/list-log.js';
import { isDeltaError } from '../../errors.js';
import { CheckpointSource, type FileActionChunk } from '../../log/read-checkpoint.js';
import { readCommits } from '../../log/read-commit.js';
import type { Action, Version } from '../../protocol/actions.js';
import { deletedFileRetentionMs } from '../../protocol/table-config.js';
import { serializeLastCheckpoint } from '../../protocol/last-checkpoint.js';
import { checkpointPath, lastCheckpointPath } from '../../protocol/log-paths.js';
import { logPathKey } from '../../protocol/path-gate.js';
import { Replayer } from '../../snapshot/replay.js';
import { checkProtocolAndMetadata } from '../../snapshot/snapshot.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { carriedCheckpoint, carriedChunks, carryCheckpoint, dropCarriedCheckpoint, MAX_CARRIED_BYTES, TAIL_BYTES, type CarriedCheckpoint } from './checkpoint-carry.js';
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
/** Small file-row batches are joined up to this many rows before encoding (a row group's worth). */
const COALESCED_ROWS = 65_536;
/** Batches this large pass as they are: joining copies them, and their IPC message is small beside their rows. */
const PASSED_ROWS = 8_192;
/** A carried checkpoint further behind than this many commits is not used: listing finds a newer one cheaper. */
const MAX_CARRIED_COMMITS = 100;

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
 * The previous checkpoint is the one this process wrote last when `version` is given and that
 * one is still there (checkpoint-carry.ts: no listing, no read); else the newest in the listing.
 * The checkpoint is one object put atomically and `_last_checkpoint` is updated only after it,
 * so a crash at any point leaves the previous pointer, which stays valid.
 */
export async function writeCheckpoint(store: ObjectStore, opts: { version?: Version; now?: () => number } = {}): Promise<CheckpointResult> {
  const now = (opts.now ?? Date.now)();
  if (opts.version !== undefined) {
    const built = await buildFromCarried(store, opts.version, now);
    if (built) return publish(store, built);
  }
  // As loadSnapshot does: a previous checkpoint that cannot be read is passed over for an older
  // one (or the commits from 0), so a damaged checkpoint is replaced, not a reason to stop.
  const excluded = new Set<Version>();
  for (;;) {
    const segment = await listLogSegment(store, { ...(opts.version === undefined ? {} : { version: opts.version }), excludeCheckpoints: excluded });
    let built: BuiltCheckpoint;
    try {
      const base = segment.checkpoint ? await CheckpointSource.open(store, segment.checkpoint) : undefined;
      const commits = readGroups([...segment.commits].reverse());
      built = await buildCheckpoint(store, segment.version, commits, base && { nonFileActions: base.nonFileActions, chunks: () => base.fileActionChunks() }, now);
    } catch (err) {
      if (!segment.checkpoint || !(isDeltaError(err, 'CORRUPT_LOG') || isDeltaError(err, 'FILE_NOT_FOUND'))) throw err;
      excluded.add(segment.checkpoint.version);
      continue;
    }
    return publish(store, built);
  }
}

/** What a new checkpoint starts from: the previous one's non-file actions and file rows. */
interface CheckpointBase {
  nonFileActions: readonly Action[];
  chunks(): AsyncIterable<FileActionChunk> | Iterable<FileActionChunk>;
}

interface BuiltCheckpoint {
  version: Version;
  bytes: Uint8Array;
  counts: { size: number; numOfAddFiles: number };
  /** What the next checkpoint may start from (undefined when its rows were too large to keep). */
  carry: Omit<CarriedCheckpoint, 'file' | 'tail'> | undefined;
}

/** Puts the checkpoint, then `_last_checkpoint`, and keeps its rows for the next one. */
async function publish(store: ObjectStore, built: BuiltCheckpoint): Promise<CheckpointResult> {
  const { version, bytes, counts } = built;
  dropCarriedCheckpoint(store.rootUri);
  await store.put(checkpointPath(version), bytes);
  const result: CheckpointResult = { version, size: counts.size, sizeInBytes: bytes.length, numOfAddFiles: counts.numOfAddFiles };
  await store.put(lastCheckpointPath, new TextEncoder().encode(serializeLastCheckpoint(result)));
  const file = built.carry && await store.head(checkpointPath(version));
  if (built.carry && file?.sizeBytes === bytes.length) {
    carryCheckpoint(store.rootUri, { ...built.carry, file, tail: bytes.slice(Math.max(0, bytes.length - TAIL_BYTES)) });
  }
  return result;
}

/**
 * The checkpoint of `version` built from the one this process wrote last (checkpoint-carry.ts)
 * and the commits since, with no listing and no read of the previous checkpoint. Undefined
 * (the caller lists and reads) when there is none, its file is not the one written any more, or
 * a commit since is missing.
 */
async function buildFromCarried(store: ObjectStore, version: Version, now: number): Promise<BuiltCheckpoint | undefined> {
  const carried = carriedCheckpoint(store.rootUri);
  if (!carried || version <= carried.version || version - carried.version > MAX_CARRIED_COMMITS) return undefined;
  if (!await isStillThere(store, carried)) {
    dropCarriedCheckpoint(store.rootUri);
    return undefined;
  }
  const versions: Version[] = [];
  for (let v = version; v > carried.version; v--) versions.push(v);
  const groups: Version[][] = [];
  for (let i = 0; i < versions.length; i += COMMITS_PER_READ) groups.push(versions.slice(i, i + COMMITS_PER_READ));
  try {
    return await buildCheckpoint(store, version, groups, { nonFileActions: carried.nonFileActions, chunks: () => carriedChunks(carried) }, now);
  } catch (err) {
    if (!isDeltaError(err, 'FILE_NOT_FOUND')) throw err;
    dropCarriedCheckpoint(store.rootUri);
    return undefined;
  }
}

/** The carried checkpoint's file is still the one written: same size, time and last bytes. */
async function isStillThere(store: ObjectStore, carried: CarriedCheckpoint): Promise<boolean> {
  const path = checkpointPath(carried.version);
  const size = carried.file.sizeBytes;
  try {
    const file = await store.head(path);
    if (!file || file.sizeBytes !== size || file.lastModifiedMs !== carried.file.lastModifiedMs) return false;
    return compareBytes(await store.getRange(path, size - carried.tail.length, size), carried.tail) === 0;
  } catch (err) {
    if (isDeltaError(err, 'FILE_NOT_FOUND')) return false;
    throw err;
  }
}

/**
 * The checkpoint Parquet of `version`: the commits after `base` (in `commitGroups`, newest
 * first) over `base`'s rows (none: the commits from version 0).
 */
async function buildCheckpoint(
  store: ObjectStore, version: Version, commitGroups: Version[][], base: CheckpointBase | undefined, now: number,
): Promise<BuiltCheckpoint> {
  const replayer = new Replayer((p) => logPathKey(p, store.rootUri));
  // The commits' own file actions, as Arrow rows of the classic schema (widened when written).
  const tail: RecordBatch[] = [];
  for (const group of commitGroups) {
    for (const actions of await readCommits(store, group)) replayer.applyCommit(actions);
    const { adds, tombstones } = replayer.state;
    for (let j = 0; j < adds.length; j += ROWS_PER_BATCH) tail.push(actionsToBatch(adds.slice(j, j + ROWS_PER_BATCH).map(checkpointAdd), CHECKPOINT_SCHEMA));
    for (let j = 0; j < tombstones.length; j += ROWS_PER_BATCH) tail.push(actionsToBatch(tombstones.slice(j, j + ROWS_PER_BATCH).map(checkpointRemove), CHECKPOINT_SCHEMA));
    adds.length = 0;
    tombstones.length = 0;
  }
  for (const a of base?.nonFileActions ?? []) replayer.applyNonFile(a);
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
  // The file rows written, kept for the next checkpoint while they stay small enough.
  let kept: RecordBatch[] | undefined = [];
  let keptBytes = 0;
  const keepRows = (batch: RecordBatch): RecordBatch => {
    if (kept && batch.numRows > 0) {
      keptBytes += batchBytes(batch);
      if (keptBytes > MAX_CARRIED_BYTES) kept = undefined;
      else kept.push(batch);
    }
    return batch;
  };
  async function* fileRows(): AsyncGenerator<RecordBatch> {
    while (tail.length > 0) yield widen(dropExpiredTombstones(tail.shift()!, keep), schema);
    if (!base) return;
    for await (const chunk of base.chunks()) yield survivingRows(chunk, keep, schema);
  }
  async function* rows(): AsyncGenerator<RecordBatch> {
    yield actionsToBatch(header, schema);
    for await (const batch of coalesced(fileRows(), schema)) yield keepRows(batch);
  }
  const bytes = await writeParquetStream(counted(rows(), counts));
  return { version, bytes, counts, carry: kept && { version, nonFileActions: header, fileBatches: kept } };
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

/**
 * The batches with runs of small ones joined (up to COALESCED_ROWS rows), adds apart from
 * tombstones: each batch crosses into the encoder with its own IPC schema message, and a
 * checkpoint built from a carried one would otherwise have a batch per earlier checkpoint and
 * per commit since. Batches of one kind of row let the next checkpoint keep them as they are.
 */
async function* coalesced(batches: AsyncIterable<RecordBatch>, schema: Schema): AsyncGenerator<RecordBatch> {
  const pending = { add: [] as RecordBatch[], remove: [] as RecordBatch[] };
  const rows = { add: 0, remove: 0 };
  function* flush(kind: 'add' | 'remove'): Generator<RecordBatch> {
    if (pending[kind].length > 0) yield concatBatches(schema, pending[kind]);
    pending[kind] = [];
    rows[kind] = 0;
  }
  for await (const batch of batches) {
    if (batch.numRows === 0) continue;
    const adds = batch.getChild('add')!.data[0]!;
    const removes = batch.getChild('remove')!.data[0]!;
    // A batch holding both kinds (a checkpoint chunk of another writer's) passes as it is.
    const kind = adds.nullCount === 0 ? 'add' : removes.nullCount === 0 ? 'remove' : undefined;
    if (!kind || batch.numRows >= PASSED_ROWS) {
      yield batch;
      continue;
    }
    pending[kind].push(batch);
    rows[kind] += batch.numRows;
    if (rows[kind] >= COALESCED_ROWS) yield* flush(kind);
  }
  yield* flush('add');
  yield* flush('remove');
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
