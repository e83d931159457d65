import { emitWarning } from '../../errors.js';
import type { Version } from '../../protocol/actions.js';
import { checkpointInterval, enableExpiredLogCleanup } from '../../protocol/table-config.js';
import { LOG_DIR } from '../../protocol/log-paths.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { writeCheckpoint } from './checkpoint.js';
import { cleanupExpiredLogs } from './log-cleanup.js';

/**
 * Post-commit work: a checkpoint every `delta.checkpointInterval` commits (Spark:
 * v != 0 && v % interval == 0), then expired log cleanup (`delta.enableExpiredLogCleanup`) and
 * removal of abandoned temp files (at most every ten minutes per table and process). All of it
 * walks the log, so none of it runs on the other commits: a small append costs its own writes,
 * not the log's length.
 * Never throws: the commit has landed, so a failure here (including a table property another
 * engine wrote that this library cannot parse) is reported as a DeltaCheckpointWarning. A
 * thrown error would make the caller believe the write failed and write its rows again.
 */
export async function afterCommit(
  store: ObjectStore, version: Version, configuration: Record<string, string>, opts: { now?: () => number } = {},
): Promise<void> {
  let interval: number;
  try {
    interval = checkpointInterval(configuration);
  } catch (err) {
    warn(version, err);
    return;
  }
  if (version === 0 || version % interval !== 0) return;
  try {
    await writeCheckpoint(store, { ...opts, version });
    if (enableExpiredLogCleanup(configuration)) await cleanupExpiredLogs(store, configuration, opts);
  } catch (err) {
    warn(version, err);
  }
  const now = (opts.now ?? Date.now)();
  if (now - (lastSweep.get(store.rootUri) ?? -Infinity) < SWEEP_EVERY_MS) return;
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
}

/**
 * When this process last swept each table's log for abandoned temp files. The sweep lists the
 * whole log, and a temp file is only abandoned after an hour: a long-lived writer sweeps at its
 * first checkpoint and then at most every SWEEP_EVERY_MS, not at every checkpoint.
 */
const lastSweep = new Map<string, number>();
const SWEEP_EVERY_MS = 10 * 60_000;

function warn(version: Version, err: unknown): void {
  emitWarning(`checkpoint of version ${version} failed (the commit itself succeeded): ${err instanceof Error ? err.message : String(err)}`, 'DeltaCheckpointWarning');
}

/** Temp files older than this are abandoned (no commit takes an hour between write and link). */
export const STALE_TEMP_FILE_MS = 3_600_000;
