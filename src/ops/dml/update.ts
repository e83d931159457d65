import { makeData, RecordBatch, Struct, type DataType } from 'apache-arrow';
import { invalidArgument } from '../../errors.js';
import { filterRows } from '../../format/arrow-take.js';
import type { Action, AddAction, RemoveAction, Version } from '../../protocol/actions.js';
import { checkWriteSupport } from '../../protocol/features.js';
import { changeDataFeedEnabled, dataSkippingNumIndexedCols } from '../../protocol/table-config.js';
import type { StructField } from '../../protocol/schema.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { commitTransaction } from '../../txn/transaction.js';
import { afterCommit } from '../write/after-commit.js';
import { ChangeDataWriter } from '../write/change-data-writer.js';
import { DataFileWriter } from '../write/data-file-writer.js';
import { dmlFootprint, refuseAppendOnly, type DmlOptions } from './delete.js';
import { addWithDeletionVector, DeletionVectorWriter, deletionVectorsWritable, mergeRows } from './deletion-vector-writer.js';
import { candidateFiles, matchFile, readMatchedFile, type FileMatch } from './dml-scan.js';
import { batchContext, compileAssignment, tableScope, valuesToData } from '../read/expr/batch-eval.js';
import type { EvalContext } from '../read/expr/compile.js';
import type { Values } from '../read/expr/expr-types.js';
import { planReadColumns } from '../read/read-data-file.js';
import { bindRowPredicate, type RowPredicateInput } from '../read/row-predicate.js';
import { removeFor } from '../write/write.js';

export interface UpdateOptions {
  /** Rows to update (a Filter or SQL); every row when omitted. */
  predicate?: RowPredicateInput;
  /** New values by column: SQL expression strings over the row's columns, or plain JS literals. */
  set: Record<string, unknown>;
}

/** What an UPDATE did (delta-rs / Spark metric names). */
export interface UpdateResult {
  /** The version committed; the table's version when no row matched (nothing is committed then). */
  version: Version;
  numUpdatedRows: number;
  numCopiedRows: number;
  numAddedFiles: number;
  numRemovedFiles: number;
  numAddedChangeFiles: number;
  numDeletionVectorsAdded: number;
  numDeletionVectorsRemoved: number;
  numDeletionVectorsUpdated: number;
}

/**
 * UPDATE the table SET columns WHERE predicate. The updated rows go to new files; the old rows
 * are masked by a deletion vector (when the table writes DVs) or their files rewritten with the
 * untouched rows (copy-on-write). With the change data feed, pre- and post-images go to cdc files.
 */
export async function updateRows(snapshot: Snapshot, opts: UpdateOptions, dml: DmlOptions = {}): Promise<UpdateResult> {
  checkWriteSupport(snapshot.protocol, snapshot.metadata);
  const assign = bindAssignments(snapshot, opts.set);
  const predicate = bindRowPredicate(opts.predicate, snapshot.schema);
  refuseAppendOnly(snapshot, 'UPDATE');
  const started = Date.now();
  const now = (dml.now ?? Date.now)();
  const useDvs = deletionVectorsWritable(snapshot.protocol, snapshot.metadata);
  const candidates = candidateFiles(snapshot, predicate);
  const matches: FileMatch[] = [];
  for (const file of candidates) {
    const m = await matchFile(snapshot, file, predicate);
    if (m.matched.length > 0) matches.push(m);
  }
  const scanTimeMs = Date.now() - started;
  const result: UpdateResult = {
    version: snapshot.version, numUpdatedRows: 0, numCopiedRows: 0, numAddedFiles: 0, numRemovedFiles: 0,
    numAddedChangeFiles: 0, numDeletionVectorsAdded: 0, numDeletionVectorsRemoved: 0, numDeletionVectorsUpdated: 0,
  };
  if (matches.length === 0) return result;
  const layout = { schema: snapshot.schema, partitionColumns: [...snapshot.partitionColumns], columnMapping: snapshot.columnMapping, ...(dml.now ? { now: dml.now } : {}) };
  const cdf = changeDataFeedEnabled(snapshot.configuration) ? new ChangeDataWriter(snapshot.store, layout) : undefined;
  const writer = new DataFileWriter(snapshot.store, { ...layout, statsColumns: dataSkippingNumIndexedCols(snapshot.configuration) });
  const dvs = new DeletionVectorWriter(snapshot.store);
  const removes: RemoveAction[] = [];
  const dvAdds: AddAction[] = [];
  for (const m of matches) {
    result.numUpdatedRows += m.matched.length;
    const hadDv = m.file.add.deletionVector !== undefined;
    const whole = m.matched.length === m.liveRows;
    removes.push(removeFor(m.file.add, now));
    if (useDvs && !whole) {
      dvAdds.push(addWithDeletionVector(m.file.add, dvs.add(mergeRows(m.deleted, m.matched))));
      result.numDeletionVectorsAdded++;
      if (hadDv) result.numDeletionVectorsUpdated++;
    }
    if (hadDv) result.numDeletionVectorsRemoved++;
    await readMatchedFile(snapshot, m, async (batch, selected) => {
      const before = filterRows(batch, selected);
      const after = assign(before);
      await writer.write(after);
      if (!useDvs || whole) {
        // Copy-on-write: the untouched rows move to the new files unchanged.
        const kept = filterRows(batch, selected.map((s) => 1 - s));
        result.numCopiedRows += kept.numRows;
        await writer.write(kept);
      }
      if (cdf) {
        await cdf.write(before, 'update_preimage');
        await cdf.write(after, 'update_postimage');
      }
    });
  }
  await dvs.finish();
  const written = await writer.finish();
  const adds = [...dvAdds, ...written];
  const cdcFiles = (await cdf?.finish()) ?? [];
  const actions: Action[] = [...removes.map((r) => ({ remove: r })), ...adds.map((a) => ({ add: a })), ...cdcFiles.map((c) => ({ cdc: c }))];
  result.numAddedFiles = written.length;
  result.numRemovedFiles = removes.length - dvAdds.length;
  result.numAddedChangeFiles = cdcFiles.length;
  const commit = await commitTransaction({
    store: snapshot.store,
    readVersion: snapshot.version,
    actions,
    operation: 'UPDATE',
    operationParameters: { predicate: JSON.stringify(predicate ? [predicate.text] : []) },
    operationMetrics: {
      numAddedFiles: String(result.numAddedFiles),
      numRemovedFiles: String(result.numRemovedFiles),
      numAddedChangeFiles: String(result.numAddedChangeFiles),
      numDeletionVectorsAdded: String(result.numDeletionVectorsAdded),
      numDeletionVectorsRemoved: String(result.numDeletionVectorsRemoved),
      numDeletionVectorsUpdated: String(result.numDeletionVectorsUpdated),
      numUpdatedRows: String(result.numUpdatedRows),
      numCopiedRows: String(result.numCopiedRows),
      numRemovedBytes: String(removes.filter((r) => !dvAdds.some((a) => a.path === r.path)).reduce((s, r) => s + (r.size ?? 0), 0)),
      numAddedBytes: String(written.reduce((s, a) => s + a.size, 0)),
      executionTimeMs: String(Date.now() - started),
      scanTimeMs: String(scanTimeMs),
      rewriteTimeMs: String(Date.now() - started - scanTimeMs),
    },
    footprint: dmlFootprint(snapshot, predicate, candidates.map((f) => f.add.path), removes),
    ...(snapshot.configuration['delta.enableInCommitTimestamps'] === 'true'
      ? { inCommitTimestamps: { previous: typeof snapshot.latestCommitInfo?.inCommitTimestamp === 'number' ? snapshot.latestCommitInfo.inCommitTimestamp : undefined } } : {}),
    ...(dml.now ? { now: dml.now } : {}),
  });
  await afterCommit(snapshot.store, commit.version, snapshot.configuration, dml.now ? { now: dml.now } : {});
  return { ...result, version: commit.version };
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
    const field = fields.find((f) => f.name === name) ?? fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
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
