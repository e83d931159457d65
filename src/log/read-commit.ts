import type { Action, Version } from '../protocol/actions.js';
import { parseCommitText } from '../protocol/action-codec.js';
import { commitPath } from '../protocol/log-paths.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Reads and parses the commit file of `version`. */
export async function readCommit(store: ObjectStore, version: Version): Promise<Action[]> {
  const path = commitPath(version);
  const bytes = await store.get(path);
  return parseCommitText(new TextDecoder().decode(bytes), path);
}

/** Reads several commits with at most `concurrency` requests in flight; results keep input order. */
export async function readCommits(store: ObjectStore, versions: Version[], concurrency = 16): Promise<Action[][]> {
  const out: Action[][] = new Array(versions.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < versions.length) {
      const i = next++;
      out[i] = await readCommit(store, versions[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, versions.length) }, worker));
  return out;
}
