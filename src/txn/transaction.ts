import { DeltaError, isDeltaError } from '../errors.js';
import { readCommit } from '../log/read-commit.js';
import { writeCommit } from '../log/write-commit.js';
import type { Action, CommitInfo, Version } from '../protocol/actions.js';
import { commitInfoOf } from '../snapshot/replay.js';
import type { ObjectStore } from '../storage/object-store.js';
import { ENGINE_INFO } from '../version.js';
import { checkConflicts, type TransactionFootprint } from './conflict-checker.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

export interface CommitRequest {
  store: ObjectStore;
  /** The version the transaction read; -1 when it creates the table. */
  readVersion: Version;
  /** Everything but commitInfo, in the order to write (protocol, metaData, txn, files...). */
  actions: Action[];
  operation: string;
  /** Strings, except where Spark writes other JSON (RESTORE's version number, null). */
  operationParameters: Record<string, string | number | null>;
  operationMetrics?: Record<string, string>;
  footprint: TransactionFootprint;
  /** commitInfo.isolationLevel. @defaultValue 'Serializable' */
  isolationLevel?: 'Serializable' | 'SnapshotIsolation';
  userMetadata?: string;
  /** In-commit timestamps: write `inCommitTimestamp`, monotonic after `previous`. */
  inCommitTimestamps?: { previous: number | undefined };
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  /**
   * Resolves once the data files the actions add are durable (DataFileWriter.finishWritten); the
   * commit is published only after it. Its failure fails the commit at once, without retries.
   */
  filesDurable?: Promise<void>;
}

export interface CommitResult {
  version: Version;
  attempts: number;
  commitInfo: CommitInfo;
}

/**
 * Commits with optimistic concurrency (Spark OptimisticTransaction):
 *
 *   v = readVersion+1 ─► put-if-absent <v>.json ─► created ─► done
 *        ▲                    │ taken                        │ unknown outcome (timeout, 5xx)
 *        │                    ▼                              ▼
 *        └─ tip+1 ◄─ pause, read winners v..tip,       read <v>.json back: our txnId? done : taken/retry
 *                    check each for conflicts
 *
 * A real conflict is COMMIT_CONFLICT; nothing is ever deleted on a failed or ambiguous commit.
 */
export async function commitTransaction(req: CommitRequest): Promise<CommitResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...req.retry };
  const now = req.now ?? Date.now;
  const txnId = crypto.randomUUID();
  const started = now();
  let version = req.readVersion + 1;
  let previousIct = req.inCommitTimestamps?.previous;
  for (let attempt = 1; ; attempt++) {
    const commitInfo = buildCommitInfo(req, txnId, now(), previousIct);
    const outcome = await tryCommit(req.store, version, [{ commitInfo }, ...req.actions], txnId, req.filesDurable);
    if (outcome === 'committed') return { version, attempts: attempt, commitInfo };
    if (req.readVersion < 0) {
      throw new DeltaError('INVALID_ARGUMENT', `the table at ${req.store.rootUri} was created concurrently by another writer`, {
        hint: "open it with DeltaTable.open(), or write with { mode: 'append' }",
      });
    }
    const outOfBudget = req.footprint.isBlindAppend
      ? now() - started > policy.blindAppendBudgetMs
      : attempt >= policy.maxAttempts;
    if (outOfBudget) {
      // The winners are checked first: a real conflict is reported as one, not as a lost race.
      const { next } = await catchUp(req, version);
      throw new DeltaError('COMMIT_CONFLICT', `gave up after ${attempt} attempts: other writers kept committing first (last seen version ${next - 1})`, {
        hint: 'the table is under heavy concurrent writes; retry later or reduce the number of writers',
        retryable: true,
      });
    }
    // Pause first, then read every commit up to the newest: the next attempt goes right after
    // the tip. Stepping one version per attempt (with a pause each) never caught up with a
    // writer committing every few milliseconds (a vacuum beside a fast appender retried for minutes).
    if (policy.backoffMs > 0) await sleep(Math.random() * policy.backoffMs * Math.min(attempt, 8));
    const caughtUp = await catchUp(req, version);
    version = caughtUp.next;
    if (caughtUp.lastIct !== undefined) previousIct = caughtUp.lastIct;
  }
}

/**
 * Reads the commits from `from` (one exists: this transaction just lost it) to the newest and
 * checks each against the transaction (COMMIT_CONFLICT on a real conflict). Returns the first
 * version not yet taken and the newest in-commit timestamp seen.
 */
async function catchUp(req: CommitRequest, from: Version): Promise<{ next: Version; lastIct: number | undefined }> {
  let lastIct: number | undefined;
  for (let v = from; ; v++) {
    let winner: Action[];
    try {
      winner = await readCommit(req.store, v);
    } catch (err) {
      if (v > from && isDeltaError(err, 'FILE_NOT_FOUND')) return { next: v, lastIct };
      throw err;
    }
    checkConflicts(req.footprint, winner, v);
    const ict = commitInfoOf(winner)?.inCommitTimestamp;
    if (typeof ict === 'number') lastIct = ict;
  }
}

function buildCommitInfo(req: CommitRequest, txnId: string, nowMs: number, previousIct: number | undefined): CommitInfo {
  const info: CommitInfo = {};
  if (req.inCommitTimestamps) info.inCommitTimestamp = Math.max(nowMs, (previousIct ?? -Infinity) + 1);
  info.timestamp = nowMs;
  info.operation = req.operation;
  info.operationParameters = req.operationParameters;
  if (req.readVersion >= 0) info.readVersion = req.readVersion;
  info.isolationLevel = req.isolationLevel ?? 'Serializable';
  info.isBlindAppend = req.footprint.isBlindAppend;
  if (req.operationMetrics) info.operationMetrics = req.operationMetrics;
  if (req.userMetadata !== undefined) info.userMetadata = req.userMetadata;
  info.engineInfo = ENGINE_INFO;
  info.txnId = txnId;
  return info;
}

/**
 * One put-if-absent. When the store fails without telling whether the object landed (timeout,
 * dropped connection), read the commit back: our txnId there means it did (Spark's
 * detectIdempotentSelfCommit); another txnId means the version was taken; absent means retry.
 */
async function tryCommit(store: ObjectStore, version: Version, actions: Action[], txnId: string, filesDurable: Promise<void> | undefined): Promise<'committed' | 'version-taken'> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeCommit(store, version, actions, filesDurable);
    } catch (err) {
      if (!isDeltaError(err, 'STORAGE_FAILURE') || attempt >= 5) throw err;
      // A data file that could not be made durable is not retried: that commit cannot be made.
      if (filesDurable && (await filesDurable.then(() => false, () => true))) throw err;
      let existing: Action[] | undefined;
      try {
        existing = await readCommit(store, version);
      } catch (readErr) {
        if (!isDeltaError(readErr, 'FILE_NOT_FOUND')) throw err;
      }
      if (existing) return commitInfoOf(existing)?.txnId === txnId ? 'committed' : 'version-taken';
      await sleep(50 * attempt);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
