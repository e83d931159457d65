import { makeData, RecordBatch, Struct, type DataType } from 'apache-arrow';
import { invalidArgument } from '../../errors.js';
import { filterRows } from '../../format/arrow-take.js';
import type { AddAction, RemoveAction, Version } from '../../protocol/actions.js';
import { checkWriteSupport } from '../../protocol/features.js';
import { findField, type StructField } from '../../protocol/schema.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { addWithDeletionVector, mergeRows } from './deletion-vector-writer.js';
import { readMatchedFile } from './dml-scan.js';
import { commitPlannedDml, dmlWriters, planDml, type DmlCounts, type DmlOptions } from './dml-plan.js';
import { batchContext, compileAssignment, tableScope, valuesToData } from '../read/expr/batch-eval.js';
import type { EvalContext } from '../read/expr/compile.js';
import type { Values } from '../read/expr/expr-types.js';
import { planReadColumns } from '../read/read-data-file.js';
import type { RowPredicateInput } from '../read/row-predicate.js';
import { removeFor } from '../write/write.js';

export interface UpdateOptions {
  /** Rows to update (a Filter or SQL); every row when omitted. */
  predicate?: RowPredicateInput;
  /** New values by column: SQL expression strings over the row's columns, or plain JS literals. */
  set: Record<string, unknown>;
}

/** What an UPDATE did (delta-rs / Spark metric names). */
export interface UpdateResult extends DmlCounts {
  /** The version committed; the table's version when no row matched (nothing is committed then). */
  version: Version;
  numUpdatedRows: number;
}

/**
 * UPDATE the table SET columns WHERE predicate. The updated rows go to new files; the old rows
 * are masked by a deletion vector (when the table writes DVs) or their files rewritten with the
 * untouched rows (copy-on-write). With the change data feed, pre- and post-images go to cdc files.
 */
export async function updateRows(snapshot: Snapshot, opts: UpdateOptions, dml: DmlOptions = {}): Promise<UpdateResult> {
  checkWriteSupport(snapshot.protocol, snapshot.metadata);
  const assign = bindAssignments(snapshot, opts.set);
  const plan = await planDml(snapshot, opts.predicate, 'UPDATE', dml);
  const { matches, useDvs } = plan;
  const result: UpdateResult = {
    version: snapshot.version, numUpdatedRows: 0, numCopiedRows: 0, numAddedFiles: 0, numRemovedFiles: 0,
    numAddedChangeFiles: 0, numDeletionVectorsAdded: 0, numDeletionVectorsRemoved: 0, numDeletionVectorsUpdated: 0,
  };
  if (matches.length === 0) return result;
  const w = dmlWriters(snapshot, dml);
  const cdf = w.cdf;
  const removes: RemoveAction[] = [];
  const dvAdds: AddAction[] = [];
  for (const m of matches) {
    result.numUpdatedRows += m.matched.length;
    const hadDv = m.file.add.deletionVector !== undefined;
    const whole = m.matched.length === m.liveRows;
    removes.push(removeFor(m.file.add, plan.now));
    if (useDvs && !whole) {
      dvAdds.push(addWithDeletionVector(m.file.add, w.dvs.add(mergeRows(m.deleted, m.matched))));
      result.numDeletionVectorsAdded++;
      if (hadDv) result.numDeletionVectorsUpdated++;
    }
    if (hadDv) result.numDeletionVectorsRemoved++;
    await readMatchedFile(snapshot, m, async (batch, selected) => {
      const before = filterRows(batch, selected);
      const after = assign(before);
      await w.data.write(after);
      if (!useDvs || whole) {
        // Copy-on-write: the untouched rows move to the new files unchanged.
        const kept = filterRows(batch, selected.map((s) => 1 - s));
        result.numCopiedRows += kept.numRows;
        await w.data.write(kept);
      }
      if (cdf) {
        await cdf.write(before, 'update_preimage');
        await cdf.write(after, 'update_postimage');
      }
    });
  }
  return commitPlannedDml(plan, 'UPDATE', result, { numUpdatedRows: result.numUpdatedRows }, removes, dvAdds, w, dml);
}

/** Binds `set` to the table: each key a column, each value type-checked; returns the row transform. */
function bindAssignments(snapshot: Snapshot, set: Record<string, unknown>): (batch: RecordBatch) => RecordBatch {
  if (set === null || typeof set !== 'object' || Array.isArray(set) || Object.keys(set).length === 0) {
    throw invalidArgument('update needs `set`: an object of column -> new value', "write e.g. { set: { qty: 'qty + 1', status: \"'done'\" } }");
  }
  const fields = snapshot.schema.fields;
  const scope = tableScope(snapshot.schema);
  const byColumn = new Map<string, (ctx: EvalContext) => Values>();
  for (const [name, value] of Object.entries(set)) {
    const field = findField(snapshot.schema, name);
    if (!field) throw invalidArgument(`update sets column "${name}", which is not in the table`, `columns are: ${fields.map((f) => f.name).join(', ')}`);
    if (value === undefined) throw invalidArgument(`the new value of "${field.name}" is undefined`, 'check the variable that holds it; for NULL pass null');
    byColumn.set(field.name, compileAssignment(value, field, scope));
  }
  const arrowTypes = planReadColumns(snapshot, [...fields]).schema.fields.map((f) => f.type as DataType);
  return (batch) => {
    const ctx = batchContext(batch, fields);
    const children = fields.map((f: StructField, i) => {
      const compute = byColumn.get(f.name);
      if (!compute) return batch.getChildAt(i)!.data[0]!;
      const values = compute(ctx);
      if (!f.nullable && values.some((v) => v === null)) {
        throw invalidArgument(`update would set the non-nullable column "${f.name}" to NULL`, `guard the value, e.g. COALESCE(<value>, <default>)`);
      }
      return valuesToData(arrowTypes[i]!, values);
    });
    return new RecordBatch(batch.schema, makeData({ type: new Struct(batch.schema.fields), length: batch.numRows, nullCount: 0, children }));
  };
}
