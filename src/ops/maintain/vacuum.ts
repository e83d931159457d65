import { DeltaError, invalidArgument } from '../../errors.js';
import type { Version } from '../../protocol/actions.js';
import { checkWriteSupport } from '../../protocol/features.js';
import { deletedFileRetentionMs } from '../../protocol/table-config.js';
import { dvLocation, logPathKey } from '../../protocol/path-gate.js';
import { listCommits } from '../../log/list-log.js';
import { readCommit } from '../../log/read-commit.js';
import { loadSnapshot, type Snapshot } from '../../snapshot/snapshot.js';
import { emptyFootprint } from '../../txn/conflict-checker.js';
import { commitTransaction } from '../../txn/transaction.js';

export interface VacuumOptions {
  /** Keep files a version within this many hours still needs. @defaultValue delta.deletedFileRetentionDuration (168) */
  retentionHours?: number;
  /** Only report what would be deleted. @defaultValue true */
  dryRun?: boolean;
  /** Refuse a retention shorter than the table's delta.deletedFileRetentionDuration. @defaultValue true */
  enforceRetention?: boolean;
  /** Deletions in flight at once. @defaultValue 16 */
  concurrency?: number;
  onProgress?: (deleted: number, total: number) => void;
  now?: () => number;
}

export interface VacuumResult {
  dryRun: boolean;
  /** Paths relative to the table root, deleted (or to delete on a dry run). */
  files: string[];
  bytes: number;
}

/**
 *   list every file under the root (hidden `_x`/`.x` paths skipped, `_change_data` kept, `_delta_log` never)
 *   protected = live files + tombstones newer than now - retention + their deletion-vector files
 *   delete    = listed - protected, and older than now - retention (a write may be in flight)
 * The latest snapshot's tombstones carry every file that a version inside the window references
 * and that is no longer live: a removal older than the window means no version in it reads the file.
 */
export async function vacuumTable(loaded: Snapshot, opts: VacuumOptions = {}): Promise<VacuumResult> {
  // Tables open without their tombstones (only VACUUM reads them, and after a compaction of a
  // million files they are a million rows): the same version is read again with them.
  const snapshot = loaded.hasTombstones ? loaded : await loadSnapshot(loaded.store, { version: loaded.version });
  checkWriteSupport(snapshot.protocol, snapshot.metadata);
  const configured = deletedFileRetentionMs(snapshot.configuration);
  const retentionMs = opts.retentionHours === undefined ? configured : opts.retentionHours * 3_600_000;
  if (!Number.isFinite(retentionMs) || retentionMs < 0) throw invalidArgument(`retentionHours must be >= 0, got ${String(opts.retentionHours)}`);
  if ((opts.enforceRetention ?? true) && retentionMs < configured) {
    throw new DeltaError('INVALID_ARGUMENT', `retention of ${retentionMs / 3_600_000} h is shorter than the table's delta.deletedFileRetentionDuration (${configured / 3_600_000} h)`, {
      hint: 'readers of older versions and writes in flight could lose files; pass enforceRetention: false only if none exist',
    });
  }
  const now = (opts.now ?? Date.now)();
  const cutoff = now - retentionMs;
  const store = snapshot.store;
  const protectedPaths = new Set<string>();
  const protect = (path: string, dv: Snapshot['files'][number]['add']['deletionVector']): void => {
    // Only paths inside the root are ever listed, so only those need protecting; files outside
    // it (absolute paths of a shallow clone) are never listed and so never deleted.
    protectedPaths.add(path);
    const dvAt = dv ? dvLocation(dv, store.rootUri) : undefined;
    if (dvAt?.kind === 'table') protectedPaths.add(dvAt.path);
  };
  for (const f of snapshot.files) protect(f.path, f.add.deletionVector);
  for (const r of snapshot.tombstones) {
    if ((r.deletionTimestamp ?? now) > cutoff) protect(logPathKey(r.path, store.rootUri), r.deletionVector);
  }
  if (retentionMs > configured) {
    // Checkpoints drop tombstones older than delta.deletedFileRetentionDuration, so a longer
    // window must read the removes of the commits inside it.
    for (const c of await listCommits(store)) {
      if (c.version > snapshot.version) continue; // file times can be skewed: read every retained commit
      for (const a of await readCommit(store, c.version)) {
        if ('remove' in a && (a.remove.deletionTimestamp ?? now) > cutoff) protect(logPathKey(a.remove.path, store.rootUri), a.remove.deletionVector);
      }
    }
  }
  const files: string[] = [];
  let bytes = 0;
  for await (const meta of store.list('')) {
    if (isHidden(meta.path) || protectedPaths.has(meta.path) || meta.lastModifiedMs >= cutoff) continue;
    files.push(meta.path);
    bytes += meta.sizeBytes;
  }
  const dryRun = opts.dryRun ?? true;
  if (dryRun) return { dryRun, files, bytes };
  const footprint = emptyFootprint();
  // VACUUM START/END hold no file actions, so they never conflict with anything: on a busy table
  // they keep retrying until they land instead of giving up after the usual attempt count.
  const retry = { maxAttempts: Number.POSITIVE_INFINITY };
  const start = await commitTransaction({
    store, readVersion: snapshot.version, actions: [], operation: 'VACUUM START', footprint, retry,
    operationParameters: { retentionCheckEnabled: String(opts.enforceRetention ?? true), defaultRetentionMillis: String(configured), specifiedRetentionMillis: String(retentionMs) },
    operationMetrics: { numFilesToDelete: String(files.length), sizeOfDataToDelete: String(bytes) },
    ...(opts.now ? { now: opts.now } : {}),
  });
  let done = 0;
  let next = 0;
  // Batched deletes where the store has them (1000 keys per S3 request), else one per file.
  const chunk = store.deleteMany ? 1000 : 1;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const paths = files.slice(next, next + chunk);
      next += paths.length;
      if (store.deleteMany) await store.deleteMany(paths);
      else await store.delete(paths[0]!);
      done += paths.length;
      opts.onProgress?.(done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 16, Math.ceil(files.length / chunk)) }, worker));
  await commitTransaction({
    store, readVersion: start.version as Version, actions: [], operation: 'VACUUM END', footprint, retry,
    operationParameters: { status: 'COMPLETED' },
    operationMetrics: { numDeletedFiles: String(done), numVacuumedDirectories: '0' },
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { dryRun, files, bytes };
}

/** Hidden per the protocol: a segment starting with '_' or '.', except `_change_data` and partition folders. */
function isHidden(path: string): boolean {
  if (path.startsWith('_delta_log/')) return true;
  const segments = path.split('/');
  return segments.some((s, i) => {
    if (!(s.startsWith('_') || s.startsWith('.'))) return false;
    if (i === 0 && s === '_change_data') return false;
    return !(i < segments.length - 1 && s.includes('='));
  });
}
