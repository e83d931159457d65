import { DeltaError } from '../errors.js';
import type { Action, Version } from '../protocol/actions.js';
import { fileKey } from '../snapshot/replay.js';
import { loadSnapshot, type ActiveFile, type Snapshot } from '../snapshot/snapshot.js';
import { versionAtTimestamp } from '../snapshot/time-travel.js';
import { commitTransaction } from '../txn/transaction.js';
import { afterCommit } from './after-commit.js';
import { footprintFor } from './footprint.js';
import { removeFor } from './write.js';

export type RestoreTarget = { version: Version } | { timestamp: Date | string };

/**
 * Makes the table's data equal an earlier version's by committing the difference (operation
 * RESTORE): files only the target has are re-added, files only the current version has are
 * removed. Refuses with FILE_NOT_FOUND, listing them, when files it needs were vacuumed.
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
  const now = (opts.now ?? Date.now)();
  const removes = toRemove.map((f) => removeFor(f.add, now));
  const actions: Action[] = [
    ...removes.map((remove) => ({ remove })),
    ...toAdd.map((f) => ({ add: { ...f.add, dataChange: true, modificationTime: now } })),
  ];
  const result = await commitTransaction({
    store,
    readVersion: current.version,
    actions,
    operation: 'RESTORE',
    operationParameters: 'version' in target ? { version: String(version) } : { timestamp: String(target.timestamp) },
    operationMetrics: { numRestoredFiles: String(toAdd.length), numRemovedFiles: String(removes.length) },
    footprint: footprintFor({
      snapshot: current, isBlindAppend: false, readWholeTable: true, predicate: undefined,
      readPaths: current.files.map((f) => f.add.path), removes, appIds: [], changesMetadata: false, changesProtocol: false,
    }),
    ...(opts.now ? { now: opts.now } : {}),
  });
  await afterCommit(store, result.version, current.configuration);
  return { version: result.version };
}
