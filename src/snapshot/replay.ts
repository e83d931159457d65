import type {
  Action, AddAction, CommitInfo, DomainMetadata, Metadata, Protocol, RemoveAction, Txn,
} from '../protocol/actions.js';
import { dvUniqueId } from '../protocol/deletion-vector.js';

/** Reconciled table state at one version (PROTOCOL.md "Action Reconciliation"). */
export interface ReplayState {
  protocol: Protocol | undefined;
  metadata: Metadata | undefined;
  /** Live files, newest first by the commit that added them. */
  adds: AddAction[];
  /** Remove tombstones not superseded by a newer add of the same logical file. */
  tombstones: RemoveAction[];
  txns: Map<string, Txn>;
  /** Live (not removed) domain metadata. */
  domains: Map<string, DomainMetadata>;
}

/** The logical file key: path plus deletion-vector id (PROTOCOL.md "Action Reconciliation"). */
export function fileKey(path: string, dv: AddAction['deletionVector']): string {
  return dv ? `${path}\u0000${dvUniqueId(dv)}` : path;
}

/**
 * Replays actions newest to oldest: the first time a key is seen decides it. `commits` are the
 * commits' actions ordered newest first; `checkpoint` holds the checkpoint's actions, which are
 * older than every commit and never repeat a key among themselves. So checkpoint keys are only
 * looked up, never stored, and when no commit touched a file the lookups are skipped: on a table
 * with a million files that saves a million-entry set. `normalizePath` maps an action path to the
 * canonical one used in keys (decoded, relative).
 */
export function replayActions(commits: Iterable<Action[]>, checkpoint: Action[], normalizePath: (p: string) => string): ReplayState {
  const state: ReplayState = {
    protocol: undefined, metadata: undefined, adds: [], tombstones: [], txns: new Map(), domains: new Map(),
  };
  const seen = new Set<string>();
  const seenDomains = new Set<string>();
  const apply = (a: Action, remember: boolean): void => {
    if ('add' in a || 'remove' in a) {
      const f = 'add' in a ? a.add : a.remove;
      if (remember || seen.size > 0) {
        const key = fileKey(normalizePath(f.path), f.deletionVector);
        if (seen.has(key)) return;
        if (remember) seen.add(key);
      }
      if ('add' in a) state.adds.push(a.add);
      else state.tombstones.push(a.remove);
    } else if ('protocol' in a) {
      state.protocol ??= a.protocol;
    } else if ('metaData' in a) {
      state.metadata ??= a.metaData;
    } else if ('txn' in a) {
      if (!state.txns.has(a.txn.appId)) state.txns.set(a.txn.appId, a.txn);
    } else if ('domainMetadata' in a) {
      const d = a.domainMetadata;
      if (seenDomains.has(d.domain)) return;
      seenDomains.add(d.domain);
      if (!d.removed) state.domains.set(d.domain, d);
    }
  };
  for (const actions of commits) for (const a of actions) apply(a, true);
  for (const a of checkpoint) apply(a, false);
  return state;
}

/** The commitInfo of one commit, if it has one. */
export function commitInfoOf(actions: Action[]): CommitInfo | undefined {
  for (const a of actions) if ('commitInfo' in a) return a.commitInfo;
  return undefined;
}
