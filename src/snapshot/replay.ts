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
 * Replays actions newest to oldest: the first time a key is seen decides it. `batches` are the
 * commits' actions ordered newest first, then the checkpoint's (which never repeat a key).
 * `normalizePath` maps an action path to the canonical one used in keys (decoded, relative).
 */
export function replayActions(batches: Iterable<Action[]>, normalizePath: (p: string) => string): ReplayState {
  const state: ReplayState = {
    protocol: undefined, metadata: undefined, adds: [], tombstones: [], txns: new Map(), domains: new Map(),
  };
  const seen = new Set<string>();
  const seenDomains = new Set<string>();
  for (const actions of batches) {
    for (const a of actions) {
      if ('add' in a) {
        const key = fileKey(normalizePath(a.add.path), a.add.deletionVector);
        if (seen.has(key)) continue;
        seen.add(key);
        state.adds.push(a.add);
      } else if ('remove' in a) {
        const key = fileKey(normalizePath(a.remove.path), a.remove.deletionVector);
        if (seen.has(key)) continue;
        seen.add(key);
        state.tombstones.push(a.remove);
      } else if ('protocol' in a) {
        state.protocol ??= a.protocol;
      } else if ('metaData' in a) {
        state.metadata ??= a.metaData;
      } else if ('txn' in a) {
        if (!state.txns.has(a.txn.appId)) state.txns.set(a.txn.appId, a.txn);
      } else if ('domainMetadata' in a) {
        const d = a.domainMetadata;
        if (seenDomains.has(d.domain)) continue;
        seenDomains.add(d.domain);
        if (!d.removed) state.domains.set(d.domain, d);
      }
    }
  }
  return state;
}

/** The commitInfo of one commit, if it has one. */
export function commitInfoOf(actions: Action[]): CommitInfo | undefined {
  for (const a of actions) if ('commitInfo' in a) return a.commitInfo;
  return undefined;
}
