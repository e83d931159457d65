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
 * Replays actions newest to oldest: the first time a key is seen decides it. Commits come first,
 * newest first (`applyCommit`), then the checkpoint's non-file actions and its file actions,
 * which are older than every commit and never repeat a key among themselves. So checkpoint keys
 * are only looked up, never stored, and when no commit touched a file the lookups are skipped:
 * on a table with a million files that saves a million-entry set. `normalizePath` maps an action
 * path to the canonical one used in keys (decoded, relative).
 */
export class Replayer {
  readonly state: ReplayState = {
    protocol: undefined, metadata: undefined, adds: [], tombstones: [], txns: new Map(), domains: new Map(),
  };
  /** Keys of the files the commits added or removed. */
  readonly touched = new Set<string>();
  private readonly seenDomains = new Set<string>();

  constructor(private readonly normalizePath: (p: string) => string) {}

  /** One commit's actions; commits must come newest first. */
  applyCommit(actions: readonly Action[]): void {
    for (const a of actions) {
      if ('add' in a || 'remove' in a) {
        const f = 'add' in a ? a.add : a.remove;
        const key = fileKey(this.normalizePath(f.path), f.deletionVector);
        if (this.touched.has(key)) continue;
        this.touched.add(key);
        if ('add' in a) this.state.adds.push(a.add);
        else this.state.tombstones.push(a.remove);
      } else {
        this.applyNonFile(a);
      }
    }
  }

  /** A checkpoint's protocol, metaData, txn or domainMetadata (anything else is ignored). */
  applyNonFile(a: Action): void {
    const state = this.state;
    if ('protocol' in a) {
      state.protocol ??= a.protocol;
    } else if ('metaData' in a) {
      state.metadata ??= a.metaData;
    } else if ('txn' in a) {
      if (!state.txns.has(a.txn.appId)) state.txns.set(a.txn.appId, a.txn);
    } else if ('domainMetadata' in a) {
      const d = a.domainMetadata;
      if (this.seenDomains.has(d.domain)) return;
      this.seenDomains.add(d.domain);
      if (!d.removed) state.domains.set(d.domain, d);
    }
  }

  /** Whether a checkpoint file action survives: no commit after the checkpoint touched its key. */
  survivesCheckpoint(path: string, dv: AddAction['deletionVector']): boolean {
    return this.touched.size === 0 || !this.touched.has(fileKey(this.normalizePath(path), dv));
  }

  /** A chunk of a checkpoint's file actions, each kept unless a commit touched the same file. */
  applyCheckpointFiles(adds: readonly AddAction[], removes: readonly RemoveAction[]): void {
    const untouched = this.touched.size === 0;
    for (const a of adds) if (untouched || this.survivesCheckpoint(a.path, a.deletionVector)) this.state.adds.push(a);
    for (const r of removes) if (untouched || this.survivesCheckpoint(r.path, r.deletionVector)) this.state.tombstones.push(r);
  }

  /** A checkpoint's file action; kept unless a commit touched the same file. */
  applyCheckpointFile(a: { add: AddAction } | { remove: RemoveAction }): void {
    const f = 'add' in a ? a.add : a.remove;
    if (!this.survivesCheckpoint(f.path, f.deletionVector)) return;
    if ('add' in a) this.state.adds.push(a.add);
    else this.state.tombstones.push(a.remove);
  }
}

/** The commitInfo of one commit, if it has one. */
export function commitInfoOf(actions: readonly Action[]): CommitInfo | undefined {
  for (const a of actions) if ('commitInfo' in a) return a.commitInfo;
  return undefined;
}
