import { corruptLog, isDeltaError } from '../errors.js';
import { readParquetBytes } from '../format/parquet.js';
import type { Action, AddAction, RemoveAction } from '../protocol/actions.js';
import { parseAction, parseCommitText } from '../protocol/action-codec.js';
import { LOG_DIR } from '../protocol/log-paths.js';
import type { ObjectStore } from '../storage/object-store.js';
import { structCellsByRow } from './arrow-rows.js';
import { fileActionsFromColumn } from './checkpoint-file-actions.js';
import type { CheckpointFiles } from './log-segment.js';

const ACTION_COLUMNS = ['protocol', 'metaData', 'txn', 'domainMetadata', 'add', 'remove', 'checkpointMetadata', 'sidecar'] as const;
const OTHER_COLUMNS = ACTION_COLUMNS.filter((c) => c !== 'add' && c !== 'remove');
const SIDECAR_DIR = `${LOG_DIR}_sidecars/`;

/**
 * Reads every action of a checkpoint: classic, multi-part, or V2 (UUID-named JSON or Parquet
 * manifest, file actions possibly in sidecar files). Any failure is CORRUPT_LOG naming the file.
 */
export async function readCheckpoint(store: ObjectStore, checkpoint: CheckpointFiles): Promise<Action[]> {
  const actions: Action[] = [];
  for (const file of checkpoint.files) {
    // A loop, not push(...x): spreading a million actions overflows the call stack.
    for (const a of await readCheckpointFile(store, file.path)) actions.push(a);
  }
  const sidecars = actions.flatMap((a) => ('sidecar' in a ? [a.sidecar] : []));
  for (const sidecar of sidecars) {
    // Sidecar paths are relative to _delta_log/_sidecars/ (PROTOCOL.md "Sidecar File Information").
    const path = sidecar.path.includes('/') ? sidecar.path : SIDECAR_DIR + decodeURIComponent(sidecar.path);
    const fileActions = await readCheckpointFile(store, path);
    for (const a of fileActions) if ('add' in a || 'remove' in a) actions.push(a);
  }
  return actions;
}

async function readCheckpointFile(store: ObjectStore, path: string): Promise<Action[]> {
  const bytes = await store.get(path);
  try {
    if (path.endsWith('.json')) return parseCommitText(new TextDecoder().decode(bytes), path);
    const actions: Action[] = [];
    for (const batch of readParquetBytes(bytes, { columns: [...ACTION_COLUMNS] })) {
      for (const kind of ['add', 'remove'] as const) {
        const column = batch.getChild(kind)?.data[0];
        if (column) for (const a of fileActionsFromColumn(column, kind, path)) actions.push(kind === 'add' ? { add: a as AddAction } : { remove: a as RemoveAction });
      }
      let row = 0;
      for (const [name, cell] of structCellsByRow(batch, OTHER_COLUMNS)) {
        row++;
        const action = parseAction({ [name]: cell }, `${path} row ${row}`);
        if (action) actions.push(action);
      }
    }
    return actions;
  } catch (err) {
    if (isDeltaError(err)) throw err;
    throw corruptLog(path, `unreadable checkpoint: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
