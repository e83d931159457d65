import { isDeltaError } from '../errors.js';
import { readCommit } from '../log/read-commit.js';
import type { Action, Version } from '../protocol/actions.js';
import { commitPath } from '../protocol/log-paths.js';
import type { ObjectMeta, ObjectStore } from '../storage/object-store.js';
import { commitInfoOf } from './replay.js';
import { checkProtocolAndMetadata, loadTableState, replayCommitOver } from './snapshot.js';
import { TableState } from './table-state.js';

/**
 * The latest table state of each table this process wrote or read for writing, keyed by the
 * store's root URI, with the listing entry of the commit file it stands on. States are
 * immutable facts about a version; the cache only saves re-reading them.
 */
interface CachedState {
  state: TableState;
  /** `<version>.json` as it was seen: a table deleted and made again at the same place differs. */
  tip: ObjectMeta;
}

const cache = new Map<string, CachedState>();
/** Tables remembered at once (least recently used dropped first). */
const MAX_TABLES = 32;
/** Beyond this many new commits, one listing and replay is cheaper than reading them one by one. */
const MAX_PROBED_COMMITS = 32;

/**
 * The table's latest state, found at the cost of what changed: from a remembered state at
 * version v, check `<v>.json` is still the file it was (same size and modification time), then
 * head and read `<v+1>.json`, `<v+2>.json`, ... until one is absent, applying each commit's non-file
 * actions. Commit files are never replaced and versions are contiguous, so the first absent
 * one ends the log. Without a usable remembered state, the log is listed and replayed
 * (loadTableState). TABLE_NOT_FOUND when there is no table.
 */
export async function latestTableState(store: ObjectStore): Promise<TableState> {
  const cached = cache.get(store.rootUri);
  if (cached) {
    const advanced = await advance(store, cached);
    if (advanced) {
      remember(advanced);
      return advanced.state;
    }
    cache.delete(store.rootUri);
  }
  const state = await loadTableState(store);
  const tip = await store.head(commitPath(state.version));
  if (tip) remember({ state, tip });
  return state;
}

/**
 * Records the state after a commit this process just made on top of `before` (version
 * `before.version + 1`), so the next write needs no read to know it.
 */
export async function rememberCommit(before: TableState, version: Version, actions: readonly Action[]): Promise<void> {
  if (version !== before.version + 1) return;
  const tip = await before.store.head(commitPath(version));
  if (!tip) return;
  remember({ state: applyCommit(before, version, actions), tip });
}

async function advance(store: ObjectStore, cached: CachedState): Promise<CachedState | undefined> {
  const seen = await store.head(commitPath(cached.state.version));
  if (!seen || seen.sizeBytes !== cached.tip.sizeBytes || seen.lastModifiedMs !== cached.tip.lastModifiedMs) return undefined;
  let { state, tip } = cached;
  for (let probed = 0; ; probed++) {
    const next = state.version + 1;
    // A head, not a read, asks whether the next commit exists: the usual answer is no, and an
    // absent file's read costs two errors made (the system's and FILE_NOT_FOUND) on every append.
    const meta = await store.head(commitPath(next));
    if (!meta) return { state, tip };
    if (probed >= MAX_PROBED_COMMITS) return undefined;
    let actions: Action[];
    try {
      actions = await readCommit(store, next);
    } catch (err) {
      if (isDeltaError(err, 'FILE_NOT_FOUND')) return undefined; // removed since the head: list the log instead
      throw err;
    }
    state = applyCommit(state, next, actions);
    tip = meta;
  }
}

/**
 * The state one commit later, reconciled by the Replayer every load uses: the new commit first
 * (newest wins), then the old state's protocol, metaData, txns and live domains as older actions.
 */
function applyCommit(state: TableState, version: Version, actions: readonly Action[]): TableState {
  const replayer = replayCommitOver(state, actions);
  const { protocol, metadata } = checkProtocolAndMetadata(replayer.state, version, state.store.rootUri);
  const { txns, domains } = replayer.state;
  return new TableState(state.store, version, protocol, metadata, txns, domains, commitInfoOf(actions));
}

function remember(entry: CachedState): void {
  const key = entry.state.store.rootUri;
  cache.delete(key);
  cache.set(key, entry);
  if (cache.size > MAX_TABLES) cache.delete(cache.keys().next().value!);
}
