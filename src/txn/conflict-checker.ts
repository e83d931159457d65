import { DeltaError } from '../errors.js';
import type { Action, CommitInfo, Version } from '../protocol/actions.js';
import type { FileFacts } from '../snapshot/file-facts.js';

/** What a transaction read and wrote, as the conflict checker needs it (Spark ConflictChecker). */
export interface TransactionFootprint {
  /** Only adds, nothing read: never conflicts with concurrent appends. */
  isBlindAppend: boolean;
  /** True when the transaction read the whole table (overwrite without predicate, unfiltered read). */
  readWholeTable: boolean;
  /** Partition predicates of what was read; a file added by a winner that may match them conflicts. */
  readPredicate: ((facts: FileFacts) => boolean) | undefined;
  /** Paths (as in the log) of files the transaction read. */
  readFiles: ReadonlySet<string>;
  readAppIds: ReadonlySet<string>;
  changesMetadata: boolean;
  changesProtocol: boolean;
  domains: ReadonlySet<string>;
  /** Paths the transaction removes. */
  removedPaths: ReadonlySet<string>;
  isPartitioned: boolean;
  /** Builds skipping facts for an add of a winning commit. */
  factsFor: (add: Extract<Action, { add: unknown }>['add']) => FileFacts;
}

export type ConflictKind =
  | 'protocol-changed'
  | 'metadata-changed'
  | 'domain-conflict'
  | 'concurrent-transaction'
  | 'concurrent-append'
  | 'concurrent-delete-read'
  | 'concurrent-delete-delete';

/**
 * Checks one winning commit against our transaction, in Spark's order: protocol, metadata,
 * domain metadata, app-transaction ids, concurrent appends, delete-vs-read, delete-vs-delete.
 * Throws COMMIT_CONFLICT naming the winner; returns when our commit may retry at the next version.
 */
export function checkConflicts(ours: TransactionFootprint, winner: Action[], winnerVersion: Version): void {
  const info = winner.find((a): a is { commitInfo: CommitInfo } => 'commitInfo' in a)?.commitInfo;
  const fail = (kind: ConflictKind, detail: string): never => {
    throw new DeltaError(
      'COMMIT_CONFLICT',
      `${kind}: version ${winnerVersion} (${info?.operation ?? 'unknown operation'}) was committed concurrently and ${detail}`,
      { hint: 'open the table again to see the new version, then retry the operation' },
    );
  };
  if (winner.some((a) => 'protocol' in a)) {
    fail('protocol-changed', 'changed the table protocol');
  }
  if (winner.some((a) => 'metaData' in a)) {
    fail('metadata-changed', ours.changesMetadata ? 'also changed the table metadata' : 'changed the table metadata (schema or properties)');
  }
  for (const a of winner) {
    if ('domainMetadata' in a && ours.domains.has(a.domainMetadata.domain)) {
      fail('domain-conflict', `changed domain metadata "${a.domainMetadata.domain}" that this transaction changes too`);
    }
    if ('txn' in a && ours.readAppIds.has(a.txn.appId)) {
      fail('concurrent-transaction', `wrote app transaction "${a.txn.appId}" version ${a.txn.version}: another writer with the same appId is running`);
    }
  }
  // Serializable: every file the winner added counts, even from a blind append.
  if (!ours.isBlindAppend) {
    for (const a of winner) {
      if (!('add' in a)) continue;
      // Without recorded reads nothing could have been missed; unpartitioned reads see every file.
      const conflicts = ours.readWholeTable
        || (ours.readPredicate !== undefined && (!ours.isPartitioned || ours.readPredicate(ours.factsFor(a.add))));
      if (conflicts) fail('concurrent-append', `added ${a.add.path}, which this transaction's read should have seen`);
    }
  }
  for (const a of winner) {
    if (!('remove' in a)) continue;
    if (ours.readFiles.has(a.remove.path) || (ours.readWholeTable && !ours.isBlindAppend)) {
      fail('concurrent-delete-read', `removed ${a.remove.path}, which this transaction read`);
    }
    if (ours.removedPaths.has(a.remove.path)) {
      fail('concurrent-delete-delete', `removed ${a.remove.path}, which this transaction removes too`);
    }
  }
}

/** The footprint of a transaction that read nothing (create, vacuum bookkeeping commits). */
export function emptyFootprint(overrides: Partial<TransactionFootprint> = {}): TransactionFootprint {
  return {
    isBlindAppend: false, readWholeTable: false, readPredicate: undefined, readFiles: new Set(), readAppIds: new Set(),
    changesMetadata: false, changesProtocol: false, domains: new Set(), removedPaths: new Set(), isPartitioned: false,
    factsFor: () => ({ partitionValue: () => undefined, stats: () => undefined, statsKey: (c) => c }),
    ...overrides,
  };
}
