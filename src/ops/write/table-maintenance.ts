import type { Version } from '../../protocol/actions.js';
import { enableExpiredLogCleanup } from '../../protocol/table-config.js';
import { LOG_DIR } from '../../protocol/log-paths.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { writeCheckpoint } from './checkpoint.js';
import { cleanupExpiredLogs } from './log-cleanup.js';

/**
 * The work a checkpoint-interval commit leaves: the checkpoint of `version`, then expired log
 * cleanup (`delta.enableExpiredLogCleanup`) and removal of abandoned temp files (at most every
 * ten minutes per table and process). Never throws: the commit has landed, so a failure is
 * returned as the DeltaCheckpointWarning text that reports it (after-commit.ts emits it, on
 * the thread the caller runs on).
 */
export async function maintainTable(
  store: ObjectStore, version: Version, configuration: Record<string, string>, opts: { now?: () => number } = {},
): Promise<string[]> {
  const warnings: string[] = [];
  try {
    await writeCheckpoint(store, { ...opts, version });
    if (enableExpiredLogCleanup(configuration)) await cleanupExpiredLogs(store, configuration, opts);
  } catch (err) {
    warnings.push(checkpointFailed(version, err));
  }
  const now = (opts.now ?? Date.now)();
  if (now - (lastSweep.get(store.rootUri) ?? -Infinity) < SWEEP_EVERY_MS) return warnings;
  try {
    // Writers killed mid-commit leave temp files in _delta_log; an hour is far beyond any
    // commit still in flight.
    await store.removeStaleTempFiles?.(LOG_DIR, now - STALE_TEMP_FILE_MS);
    lastSweep.delete(store.rootUri);
    lastSweep.set(store.rootUri, now);
    if (lastSweep.size > 64) lastSweep.delete(lastSweep.keys().next().value!);
  } catch {
    // Best effort: leftover temp files are invisible to readers; the next checkpoint tries again.
  }
  return warnings;
}

/** The warning text of a failed checkpoint (or of a table property that decides one). */
export function checkpointFailed(version: Version, err: unknown): string {
  return `checkpoint of version ${version} failed (the commit itself succeeded): ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * When this process last swept each table's log for abandoned temp files. The sweep lists the
 * whole log, and a temp file is only abandoned after an hour: a long-lived writer sweeps at its
 * first checkpoint and then at most every SWEEP_EVERY_MS, not at every checkpoint.
 */
const lastSweep = new Map<string, number>();
const SWEEP_EVERY_MS = 10 * 60_000;

/** Temp files older than this are abandoned (no commit takes an hour between write and link). */
export const STALE_TEMP_FILE_MS = 3_600_000;
