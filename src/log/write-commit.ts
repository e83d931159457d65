import type { Action, Version } from '../protocol/actions.js';
import { serializeCommit } from '../protocol/action-codec.js';
import { commitPath } from '../protocol/log-paths.js';
import type { ObjectStore } from '../storage/object-store.js';

/**
 * Writes the commit file of `version` if nobody has: the whole commit protocol rests on this
 * put-if-absent. Losing the race is an outcome ('version-taken'), not an error. With
 * `filesDurable`, the commit is published only once the data files it references are durable;
 * a store that can overlaps writing the commit with that wait.
 */
export async function writeCommit(store: ObjectStore, version: Version, actions: Action[], filesDurable?: Promise<void>): Promise<'committed' | 'version-taken'> {
  const bytes = serializeCommit(actions);
  let outcome: 'created' | 'exists';
  if (filesDurable && store.putIfAbsentAfter) outcome = await store.putIfAbsentAfter(commitPath(version), bytes, filesDurable);
  else {
    await filesDurable;
    outcome = await store.putIfAbsent(commitPath(version), bytes);
  }
  return outcome === 'created' ? 'committed' : 'version-taken';
}
