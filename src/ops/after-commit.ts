import type { Version } from '../protocol/actions.js';
import { checkpointInterval, enableExpiredLogCleanup } from '../protocol/intervals.js';
import type { ObjectStore } from '../storage/object-store.js';
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
    process.emitWarning(`checkpoint of version ${version} failed (the commit itself succeeded): ${err instanceof Error ? err.message : String(err)}`, 'DeltaCheckpointWarning');
  }
}
