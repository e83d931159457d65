import type { Action, Version } from '../protocol/actions.js';
import { serializeCommit } from '../protocol/action-codec.js';
import { commitPath } from '../protocol/log-paths.js';
import type { ObjectStore } from '../storage/object-store.js';

/**
 * Writes the commit file of `version` if nobody has: the whole commit protocol rests on this
 * put-if-absent. Losing the race is an outcome ('version-taken'), not an error.
 */
export async function writeCommit(store: ObjectStore, version: Version, actions: Action[]): Promise<'committed' | 'version-taken'> {
  const outcome = await store.putIfAbsent(commitPath(version), serializeCommit(actions));
  return outcome === 'created' ? 'committed' : 'version-taken';
}
