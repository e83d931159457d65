import type { Version } from '../protocol/actions.js';
import { checkpointInterval, enableExpiredLogCleanup } from '../protocol/intervals.js';
import type { ObjectStore } from '../storage/object-store.js';
import { writeCheckpoint } from './checkpoint.js';
import { cleanupExpiredLogs } from './log-cleanup.js';

/**
 * Post-commit work: a checkpoint every `delta.checkpointInterval` commits (Spark:
 * v != 0 && v % interval == 0), then expired log cleanup (`delta.enableExpiredLogCleanup`). Best effort: the commit already succeeded, so a failed
 * checkpoint is reported as a process warning and never fails the write.
 */
export async function afterCommit(
  store: ObjectStore, version: Version, configuration: Record<string, string>, opts: { now?: () => number } = {},
): Promise<void> {
  const interval = checkpointInterval(configuration);
  if (version === 0 || version % interval !== 0) return;
  try {
    await writeCheckpoint(store, { ...opts, version });
    if (enableExpiredLogCleanup(configuration)) await cleanupExpiredLogs(store, configuration, opts);
  } catch (err) {
    process.emitWarning(`checkpoint of version ${version} failed (the commit itself succeeded): ${err instanceof Error ? err.message : String(err)}`, 'DeltaCheckpointWarning');
  }
}
