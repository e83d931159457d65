import { isDeltaError } from '../errors.js';
import type { LastCheckpointInfo } from '../protocol/actions.js';
import { parseLastCheckpoint } from '../protocol/last-checkpoint.js';
import { lastCheckpointPath } from '../protocol/log-paths.js';
import type { ObjectStore } from '../storage/object-store.js';

/**
 * Reads `_delta_log/_last_checkpoint`. It is only a hint: missing, empty or corrupt all give
 * undefined, and the caller lists the log instead (PROTOCOL.md "Last Checkpoint File").
 */
export async function readLastCheckpoint(store: ObjectStore): Promise<LastCheckpointInfo | undefined> {
  try {
    const bytes = await store.get(lastCheckpointPath);
    return parseLastCheckpoint(new TextDecoder().decode(bytes));
  } catch (err) {
    if (isDeltaError(err, 'FILE_NOT_FOUND')) return undefined;
    throw err;
  }
}
