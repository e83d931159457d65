import { DeltaError, invalidArgument, isDeltaError } from '../../errors.js';
import type { Action, AddAction, RemoveAction, Version } from '../../protocol/actions.js';
import { checkWriteSupport } from '../../protocol/features.js';
import { resolveDataPath } from '../../snapshot/data-paths.js';
import { loadSnapshot, type Snapshot } from '../../snapshot/snapshot.js';
import { commitTransaction } from '../../txn/transaction.js';
import { afterCommit } from '../write/after-commit.js';
import type { Filter } from '../read/filter.js';
import { footprintFor } from '../write/footprint.js';
import { filterAsSql, optimizeMetrics } from './optimize-metrics.js';
import { planOptimize, type OptimizeBin, type OptimizePlan } from './optimize-plan.js';
import { rewriteBin } from './optimize-rewrite.js';
import { removeFor } from '../write/write.js';
import { checkZOrderColumns } from './zorder.js';

export interface OptimizeOptions {
  /** Size of the files OPTIMIZE writes. @defaultValue 256 MiB */
  targetSizeBytes?: number;
  /** Files below this size are compacted. @defaultValue targetSizeBytes */
  minFileSizeBytes?: number;
  /** Only partitions matching this: a DNF filter or an SQL boolean string, over partition columns only. */
  predicate?: Filter | string;
  /** Sort each partition's rows along a Z-order curve over these data columns, rewriting all its files. */
  zOrderBy?: string[];
  /** Bins rewritten at once. @defaultValue the host's parallelism (os.availableParallelism() in Node) */
  maxConcurrentTasks?: number;
  /**
   * Called after each rewritten bin (a group of files that becomes new files), and once with 0
   * done before the first, for each plan (a conflict makes a new plan); a returned promise is awaited.
   */
  onProgress?: (binsDone: number, binsTotal: number) => void | Promise<void>;
  /** Only these partitions (keys from partitionKeyOf). @internal */
  onlyPartitions?: ReadonlySet<string>;
  /** Marks the commit as auto-compaction (commitInfo operationParameters.auto). @internal */
  auto?: boolean;
  now?: () => number;
}

export interface OptimizeResult {
  /** The version OPTIMIZE committed, or the table's version when there was nothing to do. */
  version: Version;
  numFilesAdded: number;
  numFilesRemoved: number;
  /** Files the predicate selected that were left as they are. */
  filesSkipped: number;
  bytesAdded: number;
  bytesRemoved: number;
  partitionsOptimized: number;
}

/** Plans OPTIMIZE makes at most when concurrent commits keep invalidating what it read. */
export const MAX_OPTIMIZE_PLANS = 5;

/** A bin rewritten: the files it read and the files that replace them. */
interface RewrittenBin {
  bin: OptimizeBin;
  adds: AddAction[];
}

/**
 *   plan bins (optimize-plan.ts) ─► rewrite up to maxConcurrentTasks bins at once, each bin
 *   streamed through one writer (DV-deleted rows dropped) ─► one commit: remove + add, all
 *   dataChange=false, operation OPTIMIZE
 * The commit reads exactly the files it removes and no predicate, so a concurrent blind append
 * never conflicts with it (both commit, whichever lands first). A winner that removed or
 * DV-updated one of those files is a conflict: OPTIMIZE then loads the new snapshot, keeps the
 * bins whose files are all still there unchanged, deletes the rest of what it wrote, plans again
 * over the files not yet rewritten and commits everything together; after MAX_OPTIMIZE_PLANS
 * plans it is COMMIT_CONFLICT naming the last winning version, with every file it wrote deleted.
 */
export async function optimizeTable(snapshot: Snapshot, opts: OptimizeOptions = {}): Promise<OptimizeResult> {
  validateOptimizeOptions(opts);
  checkWriteSupport(snapshot.protocol, snapshot.metadata);
  if (opts.zOrderBy && opts.zOrderBy.length > 0) checkZOrderColumns(opts.zOrderBy, snapshot.schema.fields, snapshot.partitionColumns);
  const now = opts.now ?? Date.now;
  let current = snapshot;
  let kept: RewrittenBin[] = [];
  for (let attempt = 1; ; attempt++) {
    const keptPaths = new Set(kept.flatMap((r) => r.bin.files.map((f) => f.add.path)));
    const fresh = planOptimize(current, { ...opts, excludePaths: keptPaths });
    if (fresh.bins.length === 0 && kept.length === 0) {
      return {
        version: current.version, numFilesAdded: 0, numFilesRemoved: 0, filesSkipped: fresh.filesSkipped,
        bytesAdded: 0, bytesRemoved: 0, partitionsOptimized: 0,
      };
    }
    const rewritten = [...kept, ...await rewriteAll(current, fresh, opts.maxConcurrentTasks ?? hostParallelism(), now, opts.onProgress)];
    // The excluded (kept) files count as considered in `fresh`; they are rewritten, not skipped.
    const plan: OptimizePlan = { ...fresh, bins: rewritten.map((r) => r.bin), filesSkipped: fresh.filesSkipped - keptPaths.size };
    try {
      return await commitOptimize(current, plan, rewritten.flatMap((r) => r.adds), opts, now);
    } catch (err) {
      const written = rewritten.flatMap((r) => r.adds);
      // After a storage failure the commit may have landed: keep the files (vacuum removes strays).
      if (!isDeltaError(err, 'COMMIT_CONFLICT')) throw err;
      if (attempt >= MAX_OPTIMIZE_PLANS) {
        await deleteWritten(current, written);
        throw new DeltaError('COMMIT_CONFLICT', `optimize gave up after ${attempt} plans, each invalidated by a concurrent commit; the last: ${err.message}`, {
          hint: 'concurrent deletes, updates or merges keep rewriting the files optimize reads; run it again when they are done, or with a predicate on other partitions',
          cause: err,
        });
      }
      const next = await loadSnapshot(current.store);
      const survivors = sameTableShape(current, next) ? rewritten.filter((r) => binUnchanged(r.bin, next)) : [];
      await deleteWritten(current, rewritten.filter((r) => !survivors.includes(r)).flatMap((r) => r.adds));
      kept = survivors;
      current = next;
    }
  }
}

async function commitOptimize(snapshot: Snapshot, plan: OptimizePlan, adds: AddAction[], opts: OptimizeOptions, now: () => number): Promise<OptimizeResult> {
  const removedFiles = plan.bins.flatMap((b) => b.files);
  const removes: RemoveAction[] = removedFiles.map((f) => ({ ...removeFor(f.add, now()), dataChange: false }));
  const actions: Action[] = [...removes.map((remove) => ({ remove })), ...adds.map((add) => ({ add }))];
  const predicate = opts.predicate;
  const result = await commitTransaction({
    store: snapshot.store,
    readVersion: snapshot.version,
    actions,
    operation: 'OPTIMIZE',
    operationParameters: {
      predicate: JSON.stringify(predicate === undefined ? [] : [filterAsSql(predicate)]),
      zOrderBy: JSON.stringify(plan.zOrderBy),
      clusterBy: '[]',
      auto: String(opts.auto ?? false),
    },
    operationMetrics: optimizeMetrics(plan, removedFiles, adds),
    // Only dataChange=false actions: Spark downgrades such a commit to SnapshotIsolation.
    isolationLevel: 'SnapshotIsolation',
    // Each lost race against an append is harmless (no conflict), so a busy table gets more tries.
    retry: { maxAttempts: 100 },
    footprint: footprintFor({
      snapshot, isBlindAppend: false, readWholeTable: false, predicate: undefined,
      readPaths: removedFiles.map((f) => f.add.path), removes, appIds: [], changesMetadata: false, changesProtocol: false,
    }),
    ...(snapshot.configuration['delta.enableInCommitTimestamps'] === 'true'
      ? { inCommitTimestamps: { previous: inCommitTimestampOf(snapshot) } } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  await afterCommit(snapshot.store, result.version, snapshot.configuration, opts.now ? { now: opts.now } : {});
  return {
    version: result.version,
    numFilesAdded: adds.length,
    numFilesRemoved: removes.length,
    filesSkipped: plan.filesSkipped,
    bytesAdded: adds.reduce((s, a) => s + a.size, 0),
    bytesRemoved: removedFiles.reduce((s, f) => s + f.add.size, 0),
    partitionsOptimized: new Set(plan.bins.map((b) => b.partitionKey)).size,
  };
}

/** Rewritten files are only valid for the same schema, partitioning, settings and protocol. */
function sameTableShape(a: Snapshot, b: Snapshot): boolean {
  return JSON.stringify(a.metadata) === JSON.stringify(b.metadata) && JSON.stringify(a.protocol) === JSON.stringify(b.protocol);
}

/** Every file the bin read is still active with the same deletion vector: its rewrite still holds. */
function binUnchanged(bin: OptimizeBin, snapshot: Snapshot): boolean {
  const active = new Map(snapshot.files.map((f) => [f.add.path, f.add]));
  return bin.files.every((f) => {
    const now = active.get(f.add.path);
    return now !== undefined && JSON.stringify(now.deletionVector ?? null) === JSON.stringify(f.add.deletionVector ?? null);
  });
}

/** Files nothing references are deleted (best effort; vacuum removes any left). */
async function deleteWritten(snapshot: Snapshot, adds: readonly AddAction[]): Promise<void> {
  await Promise.all(adds.map((a) => snapshot.store.delete(resolveDataPath(a.path, snapshot.store.rootUri)).catch(() => undefined)));
}

/** Rewrites every bin, at most `limit` at a time; a failure stops new bins and deletes what was written. */
async function rewriteAll(
  snapshot: Snapshot, plan: OptimizePlan, limit: number, now: () => number, onProgress?: (done: number, total: number) => void | Promise<void>,
): Promise<RewrittenBin[]> {
  const results: Array<RewrittenBin | undefined> = new Array(plan.bins.length);
  let next = 0;
  let done = 0;
  await onProgress?.(0, plan.bins.length);
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < plan.bins.length) {
      const i = next++;
      try {
        results[i] = { bin: plan.bins[i]!, adds: await rewriteBin(snapshot, plan.bins[i]!, plan, now) };
        await onProgress?.(++done, plan.bins.length);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, plan.bins.length) }, worker));
  const finished = results.filter((r): r is RewrittenBin => r !== undefined);
  if (failed !== undefined) {
    await deleteWritten(snapshot, finished.flatMap((r) => r.adds));
    throw failed;
  }
  return finished;
}

function validateOptimizeOptions(opts: OptimizeOptions): void {
  if (opts === null || typeof opts !== 'object') throw invalidArgument(`optimize options must be an object, got ${String(opts)}`, 'pass e.g. { targetSizeBytes: 268435456 }');
  const positive = (name: string, v: unknown, integer = true): void => {
    if (v === undefined) return;
    if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isSafeInteger(v))) {
      throw invalidArgument(`${name} must be a positive integer, got ${String(v)}`, `omit ${name} for the default, or pass a number such as 1`);
    }
  };
  positive('targetSizeBytes', opts.targetSizeBytes);
  positive('minFileSizeBytes', opts.minFileSizeBytes);
  positive('maxConcurrentTasks', opts.maxConcurrentTasks);
  if (opts.zOrderBy !== undefined && (!Array.isArray(opts.zOrderBy) || opts.zOrderBy.some((c) => typeof c !== 'string'))) {
    throw invalidArgument('zOrderBy must be an array of column names', "pass e.g. { zOrderBy: ['x', 'y'] }");
  }
}

function inCommitTimestampOf(snapshot: Snapshot): number | undefined {
  const ict = snapshot.latestCommitInfo?.inCommitTimestamp;
  return typeof ict === 'number' ? ict : undefined;
}

/**
 * The host's CPU parallelism without a `node:` import (the core also runs in browsers): browsers
 * and Node 21+ have navigator.hardwareConcurrency, Node 20 reaches os through getBuiltinModule.
 */
function hostParallelism(): number {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => unknown } };
  const os = g.process?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? g.navigator?.hardwareConcurrency ?? 4;
}
