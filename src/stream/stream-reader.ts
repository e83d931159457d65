import { invalidArgument, streamCommitsCleanedUp, streamTableReplaced, unsupportedFeature } from '../errors.js';
import { listCommits } from '../log/list-log.js';
import type { Version } from '../protocol/actions.js';
import { commitPath } from '../protocol/log-paths.js';
import { loadSnapshot, type ActiveFile, type Snapshot } from '../snapshot/snapshot.js';
import { firstCommitAtOrAfter, timestampMillis } from '../snapshot/time-travel.js';
import { LocalStore } from '../storage/local-store.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseTableUri, storeForUri, type StorageOptions } from '../storage/store-for-url.js';
import { BatchReader, type StreamBatch } from './batch-reader.js';
import { CommitWatcher } from './commit-watcher.js';
import { LocationLock } from './location-lock.js';
import { BASE_INDEX, checkForward, offsetAt, type StreamOffset } from './offset.js';
import { ProgressLog, type PlannedRange } from './progress-log.js';
import { SourcePlanner, type BatchLimits } from './source-planner.js';
import { validateReadStreamOptions } from '../ops/write/validate-options.js';

export interface ReadStreamOptions {
  /** Start from the changes of this version (no initial snapshot); 'latest' = only commits after now. */
  startingVersion?: number | 'latest';
  /** Start from the first commit at or after this time (no initial snapshot). */
  startingTimestamp?: Date | string;
  /** @defaultValue 1000 */
  maxFilesPerTrigger?: number;
  /** Soft limit: files are taken while the batch is below it (at least one file). */
  maxBytesPerTrigger?: number;
  /** Pass over commits that only delete data. */
  ignoreDeletes?: boolean;
  /** Skip every commit that deletes or rewrites data (update, merge, overwrite). */
  skipChangeCommits?: boolean;
  /** Stream Change Data Feed rows (_change_type, _commit_version, _commit_timestamp) instead of added rows. */
  readChangeFeed?: boolean;
  /** A local directory that records progress; required for reader.commit() to survive restarts. */
  checkpointLocation?: string;
  /** Longest wait between two looks at the log while the table is idle. @defaultValue 1000 */
  pollIntervalMs?: number;
  /** On local disk, also wake on file-system notifications of the log directory (off: polling only). @defaultValue true */
  fileNotifications?: boolean;
  /** Stops the stream: the loop ends after the current step. */
  signal?: AbortSignal;
  /** End the stream once it has delivered every commit that existed when it started (Spark's Trigger.AvailableNow). */
  availableNow?: boolean;
  storage?: StorageOptions;
}

/**
 * A Delta table as a stream of micro-batches (Delta Spark's streaming source). Iterate it once;
 * call `commit(batch)` after the batch's results are safely stored.
 */
export class DeltaStreamReader implements AsyncIterable<StreamBatch> {
  private started = false;
  private lock: LocationLock | undefined;
  private progress: ProgressLog | undefined;
  private readonly delivered = new Map<number, PlannedRange>();
  private lastCommittedId = -1;

  constructor(readonly uri: string, private readonly opts: ReadStreamOptions = {}) {
    validateOptions(opts);
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamBatch> {
    if (this.started) throw invalidArgument('a stream reader can be iterated only once', 'create a new reader with DeltaTable.readStream()');
    this.started = true;
    return this.run();
  }

  /** Records that `batch` is processed: a restarted reader resumes after it. */
  async commit(batch: Pick<StreamBatch, 'batchId'>): Promise<void> {
    const range = this.delivered.get(batch.batchId);
    if (!range) throw invalidArgument(`batch ${batch.batchId} was not delivered by this reader`, 'commit the batches this reader yields');
    if (batch.batchId <= this.lastCommittedId) return;
    await this.progress?.commit(range);
    this.lastCommittedId = batch.batchId;
    for (const id of this.delivered.keys()) if (id <= batch.batchId) this.delivered.delete(id);
  }

  /** Releases the checkpoint location; iteration ending does this too. */
  async close(): Promise<void> {
    await this.lock?.release();
    this.lock = undefined;
  }

  private async *run(): AsyncGenerator<StreamBatch> {
    const signal = this.opts.signal;
    const store = await storeForUri(this.uri, this.opts.storage ?? {});
    const latest = await loadSnapshot(store);
    let watcher: CommitWatcher | undefined;
    try {
      const resume = await this.openProgress(latest);
      const planner = new SourcePlanner(latest, this.uri, {
        ignoreDeletes: this.opts.ignoreDeletes ?? false,
        skipChangeCommits: this.opts.skipChangeCommits ?? false,
        readChangeFeed: this.opts.readChangeFeed ?? false,
      });
      let position = resume.position ?? await this.startingPosition(store, latest);
      await checkNotCleanedUp(store, this.uri, position, latest.version);
      let batchId = resume.nextBatchId;
      const loc = parseTableUri(this.uri);
      const notify = loc.kind === 'local' && this.opts.fileNotifications !== false;
      watcher = new CommitWatcher(this.opts.pollIntervalMs ?? 1000, signal, notify ? `${loc.root}/_delta_log` : undefined);
      const limits: BatchLimits = { maxFiles: this.opts.maxFilesPerTrigger ?? 1000, maxBytes: this.opts.maxBytesPerTrigger ?? Infinity };
      const maxVersion = this.opts.availableNow ? latest.version : undefined;
      const reader = new BatchReader(latest, this.opts.readChangeFeed ?? false);

      // Batches planned before a crash are delivered again with exactly their recorded range.
      for (const range of resume.pending) {
        if (signal?.aborted) return;
        const planned = await planner.plan(range.startOffset, { until: range.endOffset });
        this.delivered.set(range.batchId, range);
        yield await reader.batch(range, planned);
        position = range.endOffset;
        batchId = range.batchId + 1;
      }
      while (!signal?.aborted) {
        const planned = await planner.plan(position, { limits, ...(maxVersion !== undefined ? { maxVersion } : {}) });
        checkForward(position, planned.end, `stream of ${this.uri}`);
        if (!planned.versions) {
          const moved = planned.end.reservoirVersion !== position.reservoirVersion || planned.end.index !== position.index
            || planned.end.isStartingVersion !== position.isStartingVersion;
          position = planned.end;
          if (moved) continue;
          if (this.opts.availableNow && (planned.reachedHead || position.reservoirVersion > latest.version)) return;
          await watcher.wait();
          continue;
        }
        watcher.resetBackoff();
        const range: PlannedRange = { batchId, startOffset: position, endOffset: planned.end };
        await this.progress?.plan(range);
        this.delivered.set(batchId, range);
        const batch = await reader.batch(range, planned);
        if (signal?.aborted) return;
        yield batch;
        position = planned.end;
        batchId++;
      }
    } finally {
      watcher?.close();
      await this.close();
    }
  }

  /** Locks the checkpoint location and reads where the last run stopped. */
  private async openProgress(latest: Snapshot): Promise<{ position: StreamOffset | undefined; nextBatchId: number; pending: PlannedRange[] }> {
    const location = this.opts.checkpointLocation;
    if (location === undefined) return { position: undefined, nextBatchId: 0, pending: [] };
    const loc = parseTableUri(location);
    if (loc.kind !== 'local') {
      throw unsupportedFeature(`checkpointLocation must be a local directory, got ${location}`, 'keep stream checkpoints on local disk (the table itself may be on S3)');
    }
    this.lock = await LocationLock.acquire(loc.root);
    this.progress = new ProgressLog(new LocalStore(loc.root));
    const boundId = await this.progress.bindTable(latest.metadata.id, this.uri);
    if (boundId !== latest.metadata.id) throw streamTableReplaced(this.uri, boundId, latest.metadata.id);
    const { lastCommitted, pending } = await this.progress.recover();
    for (const r of [...(lastCommitted ? [lastCommitted] : []), ...pending]) {
      if (r.endOffset.reservoirId !== latest.metadata.id) throw streamTableReplaced(this.uri, r.endOffset.reservoirId, latest.metadata.id);
    }
    this.lastCommittedId = lastCommitted?.batchId ?? -1;
    return {
      position: lastCommitted?.endOffset ?? pending[0]?.startOffset,
      nextBatchId: (lastCommitted?.batchId ?? -1) + 1,
      pending,
    };
  }

  private async startingPosition(store: ObjectStore, latest: Snapshot): Promise<StreamOffset> {
    const id = latest.metadata.id;
    const { startingVersion, startingTimestamp } = this.opts;
    if (startingVersion === 'latest') return offsetAt(id, latest.version + 1, BASE_INDEX, false);
    if (startingVersion !== undefined) {
      if (startingVersion > latest.version + 1) {
        throw invalidArgument(`startingVersion ${startingVersion} is after the table's latest version ${latest.version}`, `use a version up to ${latest.version}, or 'latest'`);
      }
      return offsetAt(id, startingVersion, BASE_INDEX, false);
    }
    if (startingTimestamp !== undefined) {
      // "At or after" a microsecond instant, for whole-millisecond commit times, is at or after its ceiling.
      const t = timestampMillis(startingTimestamp, 'startingTimestamp', 'ceil');
      const first = await firstCommitAtOrAfter(store, t, latest.configuration);
      return offsetAt(id, first?.version ?? latest.version + 1, BASE_INDEX, false);
    }
    return offsetAt(id, latest.version, BASE_INDEX, true);
  }
}

/** Fails before reading when commits the stream still needs were removed by log cleanup. */
async function checkNotCleanedUp(store: ObjectStore, uri: string, position: StreamOffset, latestVersion: Version): Promise<void> {
  if (position.isStartingVersion) {
    if (position.reservoirVersion === latestVersion) return;
    await loadSnapshot(store, { version: position.reservoirVersion }); // VERSION_NOT_FOUND when unrecoverable
    return;
  }
  if (position.reservoirVersion > latestVersion) return;
  if (await store.head(commitPath(position.reservoirVersion))) return;
  const earliest = (await listCommits(store))[0]?.version ?? latestVersion;
  throw streamCommitsCleanedUp(uri, position.reservoirVersion, earliest);
}

function validateOptions(o: ReadStreamOptions): void {
  validateReadStreamOptions(o);
  const positive = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw invalidArgument(`${name} must be a positive number, got ${String(v)}`, `pass a number above 0, or leave ${name} out for its default`);
  };
  positive('maxFilesPerTrigger', o.maxFilesPerTrigger);
  positive('maxBytesPerTrigger', o.maxBytesPerTrigger);
  positive('pollIntervalMs', o.pollIntervalMs);
  if (o.startingVersion !== undefined && o.startingVersion !== 'latest' && !(Number.isSafeInteger(o.startingVersion) && o.startingVersion >= 0)) {
    throw invalidArgument(`startingVersion must be a non-negative integer or 'latest', got ${String(o.startingVersion)}`, "pass a table version (0, 1, ...) or 'latest'");
  }
  if (o.startingVersion !== undefined && o.startingTimestamp !== undefined) throw invalidArgument('give either startingVersion or startingTimestamp, not both', 'drop one of the two options');
}

export type { ActiveFile, StreamBatch };
