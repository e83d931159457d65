import { DeltaError } from '../../errors.js';
import type { Action, Version } from '../../protocol/actions.js';
import { fileKey } from '../../snapshot/replay.js';
import { loadSnapshot, type ActiveFile, type Snapshot } from '../../snapshot/snapshot.js';
import { versionAtTimestamp } from '../../snapshot/time-travel.js';
import { commitTransaction } from '../../txn/transaction.js';
import { afterCommit } from '../write/after-commit.js';
import { footprintFor } from '../write/footprint.js';
import { removeFor } from '../write/write.js';
import { restoredTable } from './restored-table.js';

export type RestoreTarget = { version: Version } | { timestamp: Date | string };

/**
 * Makes the table equal an earlier version by committing the difference (operation RESTORE):
 * files only the target has are re-added, files only the current version has are removed, and
 * the target's metaData (schema, partitioning, properties) comes back when it differs, with a
 * protocol that is never lower than the current one. Refuses with FILE_NOT_FOUND, listing
 * them, when files it needs were vacuumed.
 */
export async function restoreTable(current: Snapshot, target: RestoreTarget, opts: { now?: () => number } = {}): Promise<{ version: Version }> {
  const store = current.store;
  const version = 'version' in target ? target.version : await versionAtTimestamp(store, target.timestamp, current.configuration);
  const old = await loadSnapshot(store, { version });
  const key = (f: ActiveFile): string => fileKey(f.path, f.add.deletionVector);
  const currentKeys = new Set(current.files.map(key));
  const oldKeys = new Set(old.files.map(key));
  const toAdd = old.files.filter((f) => !currentKeys.has(key(f)));
  const toRemove = current.files.filter((f) => !oldKeys.has(key(f)));
  const missing: string[] = [];
  for (const f of toAdd) if (!(await store.head(f.path))) missing.push(f.path);
  if (missing.length > 0) {
    throw new DeltaError('FILE_NOT_FOUND', `cannot restore version ${version}: ${missing.length} data file(s) it needs are gone: ${missing.join(', ')}`, {
      hint: 'VACUUM removed them; restore a newer version whose files still exist',
    });
  }
  const table = restoredTable(current, old);
  const now = (opts.now ?? Date.now)();
  const removes = toRemove.map((f) => removeFor(f.add, now));
  const actions: Action[] = [
    ...(table.protocol ? [{ protocol: table.protocol }] : []),
    ...(table.metadata ? [{ metaData: table.metadata }] : []),
    ...removes.map((remove) => ({ remove })),
    ...toAdd.map((f) => ({ add: { ...f.add, dataChange: true, modificationTime: now } })),
  ];
  const result = await commitTransaction({
    store,
    readVersion: current.version,
    actions,
    operation: 'RESTORE',
    // Spark's RESTORE parameters: the version as a JSON number, or the timestamp as given, the other null.
    operationParameters: 'version' in target
      ? { version, timestamp: null }
      : { version: null, timestamp: target.timestamp instanceof Date ? target.timestamp.toISOString() : String(target.timestamp) },
    operationMetrics: {
      numRestoredFiles: String(toAdd.length),
      removedFilesSize: String(toRemove.reduce((s, f) => s + f.add.size, 0)),
      numRemovedFiles: String(removes.length),
      restoredFilesSize: String(toAdd.reduce((s, f) => s + f.add.size, 0)),
      numOfFilesAfterRestore: String(old.files.length),
      tableSizeAfterRestore: String(old.files.reduce((s, f) => s + f.add.size, 0)),
    },
    footprint: footprintFor({
      snapshot: current, isBlindAppend: false, readWholeTable: true, predicate: undefined,
      readPaths: current.files.map((f) => f.add.path), removes, appIds: [],
      changesMetadata: table.metadata !== undefined, changesProtocol: table.protocol !== undefined,
    }),
    ...(opts.now ? { now: opts.now } : {}),
  });
  await afterCommit(store, result.version, (table.metadata ?? current.metadata).configuration);
  return { version: result.version };
}
