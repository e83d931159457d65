import type { RecordBatch } from 'apache-arrow';
import type { StructField } from '../../protocol/schema.js';
import type { ActiveFile, Snapshot } from '../../snapshot/snapshot.js';
import { loadDeletedRows } from '../read/deletion-vectors.js';
import { planReadColumns, readDataFile } from '../read/read-data-file.js';
import type { RowPredicate } from '../read/row-predicate.js';
import { pruneFiles } from '../read/scan.js';

/** What a DML predicate selects in one data file, by physical row index (deletion vectors count those). */
export interface FileMatch {
  file: ActiveFile;
  /** Physical indexes of the live rows the predicate selects, ascending. */
  matched: number[];
  /** Live rows (physical rows minus the existing DV). */
  liveRows: number;
  /** The rows the file's current DV deletes, ascending. */
  deleted: Float64Array;
}

/** The files a predicate may touch: partition pruning and min/max skipping on its pruning terms. */
export function candidateFiles(snapshot: Snapshot, predicate: RowPredicate | undefined): ActiveFile[] {
  return pruneFiles(snapshot, predicate?.pruning);
}

/** Reads only the predicate's columns of `file` and finds the live rows it selects (all when undefined). */
export async function matchFile(snapshot: Snapshot, file: ActiveFile, predicate: RowPredicate | undefined): Promise<FileMatch> {
  const deleted = file.add.deletionVector ? await loadDeletedRows(snapshot.store, file.add.deletionVector, file.path) : new Float64Array(0);
  const wanted = new Set(predicate?.columns ?? []);
  // At least one column, so that batches carry the row count.
  const fields: StructField[] = snapshot.schema.fields.filter((f) => wanted.has(f.name));
  if (fields.length === 0) fields.push(snapshot.schema.fields[0]!);
  const cols = planReadColumns(snapshot, fields);
  const matched: number[] = [];
  let liveRows = 0;
  let base = 0;
  let nextDeleted = 0;
  for await (const batch of readDataFile(snapshot, file, cols, () => true)) {
    const mask = predicate ? predicate.mask(batch, fields) : undefined;
    for (let i = 0; i < batch.numRows; i++) {
      const row = base + i;
      while (nextDeleted < deleted.length && deleted[nextDeleted]! < row) nextDeleted++;
      if (nextDeleted < deleted.length && deleted[nextDeleted] === row) continue;
      liveRows++;
      if (!mask || mask[i] === 1) matched.push(row);
    }
    base += batch.numRows;
  }
  return { file, matched, liveRows, deleted };
}

/**
 * Reads every column of the live rows of a matched file, in order, handing each batch with a
 * mask of the rows the predicate selected (1) and the rows it keeps (0).
 */
export async function readMatchedFile(
  snapshot: Snapshot, m: FileMatch, onBatch: (batch: RecordBatch, selected: Uint8Array) => Promise<void>,
): Promise<void> {
  const cols = planReadColumns(snapshot, [...snapshot.schema.fields]);
  // Two cursors: readDataFile asks about rows ahead of the ones handed out here.
  const isDeleted = sortedMembership(m.deleted);
  const isDeletedRead = sortedMembership(m.deleted);
  const isMatched = sortedMembership(m.matched);
  let physical = 0;
  // Only live rows are read, so the physical index of each output row is found by skipping DV rows.
  const nextLive = (): number => {
    while (isDeleted(physical)) physical++;
    return physical++;
  };
  for await (const batch of readDataFile(snapshot, m.file, cols, (i) => !isDeletedRead(i))) {
    const selected = new Uint8Array(batch.numRows);
    for (let i = 0; i < batch.numRows; i++) selected[i] = isMatched(nextLive()) ? 1 : 0;
    await onBatch(batch, selected);
  }
}

/**
 * Reads the live rows of a file as `fields` (the table's by default; columns the file lacks read
 * as NULL), handing each batch with its rows' physical indexes.
 */
export async function readLiveRows(
  snapshot: Snapshot, file: ActiveFile, deleted: Float64Array, fields: readonly StructField[], onBatch: (batch: RecordBatch, rowIndexes: Float64Array) => Promise<void>,
): Promise<void> {
  const cols = planReadColumns(snapshot, [...fields]);
  const isDeleted = sortedMembership(deleted);
  const isDeletedRead = sortedMembership(deleted);
  let physical = 0;
  for await (const batch of readDataFile(snapshot, file, cols, (i) => !isDeletedRead(i))) {
    const rows = new Float64Array(batch.numRows);
    for (let i = 0; i < batch.numRows; i++) {
      while (isDeleted(physical)) physical++;
      rows[i] = physical++;
    }
    await onBatch(batch, rows);
  }
}

/** Membership in an ascending list for ascending queries (a moving cursor, no set). */
function sortedMembership(sorted: ArrayLike<number>): (row: number) => boolean {
  let at = 0;
  let last = -1;
  return (row) => {
    if (row < last) at = 0;
    last = row;
    while (at < sorted.length && sorted[at]! < row) at++;
    return at < sorted.length && sorted[at] === row;
  };
}
