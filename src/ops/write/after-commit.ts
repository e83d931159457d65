import { emitWarning } from '../../errors.js';
import type { Version } from '../../protocol/actions.js';
import { checkpointInterval, enableExpiredLogCleanup } from '../../protocol/table-config.js';
import { LOG_DIR } from '../../protocol/log-paths.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { writeCheckpoint } from './checkpoint.js';
import { cleanupExpiredLogs } from './log-cleanup.js';

/**
 * Post-commit work: a checkpoint every `delta.checkpointInterval` commits (Spark:
 * v != 0 && v % interval == 0), then expired log cleanup (`delta.enableExpiredLogCleanup`).
 * Never throws: the commit has landed, so a failure here (including a table property another
 * engine wrote that this library cannot parse) is reported as a DeltaCheckpointWarning. A
 * thrown error would make the caller believe the write failed and write its rows again.
 */
export async function afterCommit(
  store: ObjectStore, version: Version, configuration: Record<string, string>, opts: { now?: () => number } = {},
): Promise<void> {
  try {
    const interval = checkpointInterval(configuration);
    if (version === 0 || version % interval !== 0) return;
    await writeCheckpoint(store, { ...opts, version });
    if (enableExpiredLogCleanup(configuration)) await cleanupExpiredLogs(store, configuration, opts);
  } catch (err) {
    emitWarning(`checkpoint of version ${version} failed (the commit itself succeeded): ${err instanceof Error ? err.message : String(err)}`, 'DeltaCheckpointWarning');
  }
  try {
    // Writers killed mid-commit leave temp files in _delta_log; an hour is far beyond any
    // commit still in flight.
    await store.removeStaleTempFiles?.(LOG_DIR, (opts.now ?? Date.now)() - STALE_TEMP_FILE_MS);
  } catch {
    // Best effort: leftover temp files are invisible to readers; the next checkpoint tries again.
  }
}

/** Temp files older than this are abandoned (no commit takes an hour between write and link). */
export const STALE_TEMP_FILE_MS = 3_600_000;
