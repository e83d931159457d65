import { makeData, RecordBatch, Struct, type DataType, type Schema } from 'apache-arrow';
import { nullData } from '../../format/arrow-cast.js';
import { filterRows } from '../../format/arrow-take.js';
import { actionsToBatch, copyFileRows } from '../../log/checkpoint-batches.js';
import { fileRowIdentities } from '../../log/checkpoint-file-actions.js';
import { actionsOfChunk, type FileActionChunk } from '../../log/read-checkpoint.js';
import type { Action, AddAction, RemoveAction } from '../../protocol/actions.js';

/*
 * The rows a new checkpoint takes from the old one and from the commits since: which survive,
 * and how they are shaped (dataChange=false; tombstones without stats or tags).
 */

/** Which checkpoint file rows go into the new checkpoint. */
export interface RowFilter {
  /** Whether any commit after the old checkpoint added or removed a file. */
  anyTouched: boolean;
  /** No commit after the old checkpoint touched this file. */
  survives(path: string, dv: AddAction['deletionVector']): boolean;
  /** A tombstone deleted at this time is still inside its retention. */
  unexpired(deletionTimestampMs: number | undefined): boolean;
}

/** The rows of an old checkpoint chunk that stay, as a batch of `schema`. */
export function survivingRows(chunk: FileActionChunk, keep: RowFilter, schema: Schema): RecordBatch {
  if (chunk.kind !== 'actions') {
    const { column, kind } = chunk;
    const rows: number[] = [];
    if (kind === 'add' && !keep.anyTouched) {
      // Nothing to look up: every add stays, and no path needs decoding.
      for (let row = 0; row < column.length; row++) if (column.getValid(row)) rows.push(row);
    } else {
      const identity = fileRowIdentities(column, chunk.where);
      for (let row = 0; row < column.length; row++) {
        const id = identity(row);
        if (!id || !keep.survives(id.path, id.deletionVector)) continue;
        if (kind === 'remove' && !keep.unexpired(id.deletionTimestamp)) continue;
        rows.push(row);
      }
    }
    // A kept batch of this kind of row alone, every row staying: it is already what is written.
    if (chunk.whole && rows.length === chunk.whole.numRows && sameColumns(chunk.whole.schema, schema)) return chunk.whole;
    const copied = copyFileRows(column, kind, Int32Array.from(rows), schema);
    if (copied) return copied;
  }
  // JSON checkpoints, and Parquet columns of a type we cannot copy as is, go through objects.
  const kept = actionsOfChunk(chunk).flatMap((a): Action[] => {
    const f = 'add' in a ? a.add : a.remove;
    if (!keep.survives(f.path, f.deletionVector)) return [];
    if ('add' in a) return [checkpointAdd(a.add)];
    return keep.unexpired(a.remove.deletionTimestamp) ? [checkpointRemove(a.remove)] : [];
  });
  return actionsToBatch(kept, schema);
}

/** Same top-level columns of the same types (Arrow JS gives every batch its own Schema object). */
function sameColumns(a: Schema, b: Schema): boolean {
  return a === b || (a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name && String(f.type) === String(b.fields[i]!.type)));
}

/** The tail batch without tombstones past their retention (add rows are kept). */
export function dropExpiredTombstones(batch: RecordBatch, keep: RowFilter): RecordBatch {
  const removes = batch.getChild('remove')!.data[0]!;
  if (removes.nullCount === removes.length) return batch;
  const identity = fileRowIdentities(removes, 'checkpoint tombstones');
  const mask = new Uint8Array(batch.numRows);
  for (let row = 0; row < batch.numRows; row++) {
    const id = identity(row);
    mask[row] = !id || keep.unexpired(id.deletionTimestamp) ? 1 : 0;
  }
  return filterRows(batch, mask);
}

/** `batch` with null columns for the fields of `schema` it lacks. */
export function widen(batch: RecordBatch, schema: Schema): RecordBatch {
  if (batch.schema === schema) return batch;
  const children = schema.fields.map((f) => batch.getChild(f.name)?.data[0] ?? nullData(f.type as DataType, batch.numRows));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
}

/** An add as a checkpoint holds it. */
export function checkpointAdd(add: AddAction): Action {
  return { add: { ...add, dataChange: false } };
}

/** Checkpoints carry no stats or tags for tombstones (Spark's remove columns). */
export function checkpointRemove(remove: RemoveAction): Action {
  const { stats: _stats, tags: _tags, ...rest } = remove;
  return { remove: { ...rest, dataChange: false } };
}
