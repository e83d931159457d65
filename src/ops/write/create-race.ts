import { DeltaError, isDeltaError } from '../../errors.js';
import type { Action, AddAction, Metadata } from '../../protocol/actions.js';
import { checkWriteSupport } from '../../protocol/features.js';
import { resolveDataPath } from '../../snapshot/data-paths.js';
import { loadSnapshot, type Snapshot } from '../../snapshot/snapshot.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { commitTransaction, type CommitRequest, type CommitResult } from '../../txn/transaction.js';
import { footprintFor } from './footprint.js';

/** A write's commit, and what it found when another writer created the table first. */
export interface WriteCommit extends CommitResult {
  /** The configuration the committed version has (the winner's, after a lost create race). */
  configuration: Record<string, string>;
  /** True when nothing was committed: mode 'ignore', or the appTransaction was already applied. */
  skipped: boolean;
}

/**
 * Commits a write. When the write creates the table and another writer creates it first, the
 * write does what its mode asks of an existing table, reusing the data files it already wrote:
 *
 *   create lost ─► mode 'append'  ─► same schema and partitioning? ─► commit the adds on top
 *              │                                        └─ no ─► COMMIT_CONFLICT (files deleted)
 *              ├─► mode 'ignore'  ─► skipped (files deleted)
 *              └─► 'error' / 'overwrite' ─► refused (files deleted)
 */
export async function commitWrite(req: CommitRequest, mode: string, configuration: Record<string, string>): Promise<WriteCommit> {
  const ours = req.actions.find((a): a is { metaData: Metadata } => 'metaData' in a)?.metaData;
  try {
    return { ...(await commitTransaction(req)), configuration, skipped: false };
  } catch (err) {
    if (req.readVersion >= 0 || !ours || !isCreateRaceLost(err)) throw err;
    const adds = req.actions.filter((a): a is { add: AddAction } => 'add' in a).map((a) => a.add);
    const discard = (): Promise<void> => deleteFiles(req.store, adds);
    const winner = await loadSnapshot(req.store);
    if (mode === 'ignore') {
      await discard();
      return skippedAt(winner);
    }
    if (mode !== 'append') {
      await discard();
      throw new DeltaError('COMMIT_CONFLICT', `another writer created the table at ${req.store.rootUri} (version ${winner.version}) while this ${mode === 'overwrite' ? 'overwrite' : 'write'} was creating it; nothing was written`, {
        hint: mode === 'overwrite'
          ? 'open the table with DeltaTable.open() to see what the other writer committed, then overwrite it again'
          : "write with { mode: 'append' } to add to the table the other writer created, or choose another location",
      });
    }
    const txn = req.actions.find((a): a is Extract<Action, { txn: unknown }> => 'txn' in a)?.txn;
    if (txn && (winner.txns.get(txn.appId)?.version ?? -1) >= txn.version) {
      await discard();
      return skippedAt(winner);
    }
    const mismatch = differences(ours, winner);
    if (mismatch) {
      await discard();
      throw new DeltaError('COMMIT_CONFLICT', `another writer created the table at ${req.store.rootUri} while this append was creating it, with ${mismatch}; nothing was written`, {
        hint: 'open it with DeltaTable.open() to see its schema, partitioning and properties, then append data that matches them',
      });
    }
    checkWriteSupport(winner.protocol, winner.metadata);
    const result = await commitTransaction({
      ...req,
      readVersion: winner.version,
      operation: req.operation === 'CREATE TABLE AS SELECT' ? 'WRITE' : req.operation,
      actions: [...(txn ? [{ txn }] : []), ...adds.map((add) => ({ add }))],
      footprint: footprintFor({
        snapshot: winner, isBlindAppend: true, readWholeTable: false, predicate: undefined, readPaths: [], removes: [],
        appIds: txn ? [txn.appId] : [], changesMetadata: false, changesProtocol: false,
      }),
      operationParameters: req.operationParameters.mode !== undefined ? { ...req.operationParameters, mode: 'Append' } : req.operationParameters,
      ...(winner.configuration['delta.enableInCommitTimestamps'] === 'true'
        ? { inCommitTimestamps: { previous: inCommitTimestampOf(winner) } } : {}),
    });
    return { ...result, configuration: winner.configuration, skipped: false };
  }
}

/** The INVALID_ARGUMENT commitTransaction throws when a create (readVersion -1) finds version 0 taken. */
function isCreateRaceLost(err: unknown): boolean {
  return isDeltaError(err, 'INVALID_ARGUMENT') && err.message.includes('was created concurrently');
}

/** Why our new table's files cannot simply be appended to the winner's table, or undefined. */
function differences(ours: Metadata, winner: Snapshot): string | undefined {
  if (winner.metadata.schemaString !== ours.schemaString) return 'a different schema';
  const a = winner.partitionColumns.map((c) => c.toLowerCase());
  const b = ours.partitionColumns.map((c) => c.toLowerCase());
  if (a.length !== b.length || a.some((c, i) => c !== b[i])) return `partitioning [${winner.partitionColumns.join(', ')}] instead of [${ours.partitionColumns.join(', ')}]`;
  if (winner.columnMapping !== 'none') return 'column mapping';
  const other = Object.entries(ours.configuration).filter(([k, v]) => winner.configuration[k] !== v).map(([k]) => k);
  if (other.length > 0) return `other values of the table properties ${other.join(', ')}`;
  return undefined;
}

function skippedAt(winner: Snapshot): WriteCommit {
  return { version: winner.version, attempts: 0, commitInfo: {}, configuration: winner.configuration, skipped: true };
}

function inCommitTimestampOf(snapshot: Snapshot): number | undefined {
  const ict = snapshot.latestCommitInfo?.inCommitTimestamp;
  return typeof ict === 'number' ? ict : undefined;
}

/** Best effort: the files are unreferenced, so a failed delete leaves an orphan VACUUM removes. */
async function deleteFiles(store: ObjectStore, adds: readonly AddAction[]): Promise<void> {
  await Promise.all(adds.map((a) => store.delete(resolveDataPath(a.path, store.rootUri)).catch(() => undefined)));
}
