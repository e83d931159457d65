import { invalidArgument, isDeltaError } from '../../errors.js';
import type { Action, AddAction, RemoveAction, Version } from '../../protocol/actions.js';
import { checkWriteSupport } from '../../protocol/features.js';
import { resolveDataPath } from '../../snapshot/data-paths.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { commitTransaction } from '../../txn/transaction.js';
import { afterCommit } from '../write/after-commit.js';
import type { Filter } from '../read/filter.js';
import { footprintFor } from '../write/footprint.js';
import { filterAsSql, optimizeMetrics } from './optimize-metrics.js';
import { planOptimize, type OptimizePlan } from './optimize-plan.js';
import { rewriteBin } from './optimize-rewrite.js';
import { removeFor } from '../write/write.js';
import { checkZOrderColumns } from './zorder.js';

export interface OptimizeOptions {
  /** Size of the files OPTIMIZE writes. @defaultValue 256 MiB */
  targetSizeBytes?: number;
  /** Files below this size are compacted. @defaultValue targetSizeBytes */
  minFileSizeBytes?: number;
  /** Only partitions matching this filter (DNF over partition columns). SQL strings are not supported yet. */
  predicate?: Filter | string;
  /** Sort each partition's rows along a Z-order curve over these data columns, rewriting all its files. */
  zOrderBy?: string[];
  /** Bins rewritten at once. @defaultValue the host's parallelism (os.availableParallelism() in Node) */
  maxConcurrentTasks?: number;
  /** Called after each rewritten bin (a group of files that becomes new files), and once with 0 done before the first. */
  onProgress?: (binsDone: number, binsTotal: number) => void;
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

/**
 *   plan bins (optimize-plan.ts) ─► rewrite up to maxConcurrentTasks bins at once, each bin
 *   streamed through one writer (DV-deleted rows dropped) ─► one commit: remove + add, all
 *   dataChange=false, operation OPTIMIZE
 * The commit reads exactly the files it removes and no predicate, so a concurrent blind append
 * never conflicts with it (both commit, whichever lands first); a winner that removed or
 * DV-updated one of those files makes it COMMIT_CONFLICT, and the files it wrote are deleted.
 */
export async function optimizeTable(snapshot: Snapshot, opts: OptimizeOptions = {}): Promise<OptimizeResult> {
  validateOptimizeOptions(opts);
  checkWriteSupport(snapshot.protocol, snapshot.metadata);
  if (opts.zOrderBy && opts.zOrderBy.length > 0) checkZOrderColumns(opts.zOrderBy, snapshot.schema.fields, snapshot.partitionColumns);
  const plan = planOptimize(snapshot, opts);
  const nothing: OptimizeResult = {
    version: snapshot.version, numFilesAdded: 0, numFilesRemoved: 0, filesSkipped: plan.filesSkipped,
    bytesAdded: 0, bytesRemoved: 0, partitionsOptimized: 0,
  };
  if (plan.bins.length === 0) return nothing;
  const now = opts.now ?? Date.now;
  const adds = await rewriteAll(snapshot, plan, opts.maxConcurrentTasks ?? hostParallelism(), now, opts.onProgress);
  const removedFiles = plan.bins.flatMap((b) => b.files);
  const removes: RemoveAction[] = removedFiles.map((f) => ({ ...removeFor(f.add, now()), dataChange: false }));
  const actions: Action[] = [...removes.map((remove) => ({ remove })), ...adds.map((add) => ({ add }))];
  const predicate = opts.predicate;
  let version: Version;
  try {
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
    version = result.version;
  } catch (err) {
    // A conflict means nothing references the new files: delete them (best effort; vacuum
    // removes any left). After a storage failure the commit may have landed: keep them.
    if (isDeltaError(err, 'COMMIT_CONFLICT')) await Promise.all(adds.map((a) => snapshot.store.delete(resolveDataPath(a.path, snapshot.store.rootUri)).catch(() => undefined)));
    throw err;
  }
  await afterCommit(snapshot.store, version, snapshot.configuration, opts.now ? { now: opts.now } : {});
  return {
    version,
    numFilesAdded: adds.length,
    numFilesRemoved: removes.length,
    filesSkipped: plan.filesSkipped,
    bytesAdded: adds.reduce((s, a) => s + a.size, 0),
    bytesRemoved: removedFiles.reduce((s, f) => s + f.add.size, 0),
    partitionsOptimized: new Set(plan.bins.map((b) => b.partitionKey)).size,
  };
}

/** Rewrites every bin, at most `limit` at a time; a failure stops new bins and deletes what was written. */
async function rewriteAll(
  snapshot: Snapshot, plan: OptimizePlan, limit: number, now: () => number, onProgress?: (done: number, total: number) => void,
): Promise<AddAction[]> {
  const results: AddAction[][] = new Array(plan.bins.length);
  let next = 0;
  let done = 0;
  onProgress?.(0, plan.bins.length);
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < plan.bins.length) {
      const i = next++;
      try {
        results[i] = await rewriteBin(snapshot, plan.bins[i]!, plan, now);
        onProgress?.(++done, plan.bins.length);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, plan.bins.length) }, worker));
  const adds = results.filter((r) => r !== undefined).flat();
  if (failed !== undefined) {
    await Promise.all(adds.map((a) => snapshot.store.delete(resolveDataPath(a.path, snapshot.store.rootUri)).catch(() => undefined)));
    throw failed;
  }
  return adds;
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
