import { invalidArgument } from '../../errors.js';
import { commitPath } from '../../protocol/log-paths.js';
import type { Snapshot } from '../../snapshot/snapshot.js';

/**
 * Refuses an operation that commits on top of `snapshot` when the table already has newer
 * versions: the handle was opened at an old version (time travel), so the commit would only
 * lose the race with commits that were there before the operation started.
 */
export async function checkHandleIsLatest(snapshot: Snapshot, operation: string): Promise<void> {
  const next = snapshot.version + 1;
  if (!(await snapshot.store.head(commitPath(next)))) return;
  throw invalidArgument(
    `this DeltaTable shows version ${snapshot.version}, but the table has newer versions (at least ${next}): ${operation} commits on top of the latest version`,
    `open the latest version with DeltaTable.open(uri) (no version or timestamp) and call ${operation} on it`,
  );
}
