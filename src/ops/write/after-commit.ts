import { emitWarning } from '../../errors.js';
import type { Version } from '../../protocol/actions.js';
import { checkpointInterval } from '../../protocol/table-config.js';
import { LocalStore } from '../../storage/local-store.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { maintainInBackground } from './background-maintenance.js';
import { checkpointFailed, maintainTable } from './table-maintenance.js';

export interface AfterCommitOptions {
  now?: () => number;
  /**
   * Run the checkpoint on the worker thread and return before it ends (the stream sink's
   * choice, background-maintenance.ts). Only for local tables and the real clock; otherwise,
   * and by default, the checkpoint is written before afterCommit returns.
   */
  background?: boolean;
}

/**
 * Post-commit work: a checkpoint every `delta.checkpointInterval` commits (Spark:
 * v != 0 && v % interval == 0), then log cleanup and the temp-file sweep (table-maintenance.ts).
 * All of it walks the log, so none of it runs on the other commits: a small append costs its
 * own writes, not the log's length.
 * Never throws: the commit has landed, so a failure here (including a table property another
 * engine wrote that this library cannot parse) is reported as a DeltaCheckpointWarning. A
 * thrown error would make the caller believe the write failed and write its rows again.
 * Resolves when the work is done, or, in the background, once it is started; `done` then
 * resolves when it ends.
 */
export async function afterCommit(
  store: ObjectStore, version: Version, configuration: Record<string, string>, opts: AfterCommitOptions = {},
): Promise<{ done: Promise<void> }> {
  const finished = { done: Promise.resolve() };
  let interval: number;
  try {
    interval = checkpointInterval(configuration);
  } catch (err) {
    warn(checkpointFailed(version, err));
    return finished;
  }
  if (version === 0 || version % interval !== 0) return finished;
  if (opts.background && !opts.now && store instanceof LocalStore) {
    const done = maintainInBackground(store.root, version, configuration)
      .then(async (outcome) => (outcome === 'unavailable' ? maintainTable(store, version, configuration) : outcome))
      .then((warnings) => warnings.forEach(warn));
    return { done };
  }
  (await maintainTable(store, version, configuration, opts)).forEach(warn);
  return finished;
}

function warn(message: string): void {
  emitWarning(message, 'DeltaCheckpointWarning');
}
