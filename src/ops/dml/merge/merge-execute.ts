import { makeData, RecordBatch, Struct, type Data, type DataType } from 'apache-arrow';
import { DeltaError, invalidArgument } from '../../../errors.js';
import { nullData } from '../../../format/arrow-cast.js';
import { takeRows } from '../../../format/arrow-take.js';
import type { AddAction, RemoveAction, Version } from '../../../protocol/actions.js';
import { checkWriteSupport } from '../../../protocol/features.js';
import type { Snapshot } from '../../../snapshot/snapshot.js';
import { commitDml, dmlActions, dmlWriters, finishWriters, refuseAppendOnly, type DmlOptions } from '../dml-plan.js';
import { loadDeletedRows } from '../../read/deletion-vectors.js';
import { addWithDeletionVector, deletionVectorsWritable, mergeRows } from '../deletion-vector-writer.js';
import { readLiveRows } from '../dml-scan.js';
import { batchContext, valuesToData } from '../../read/expr/batch-eval.js';
import { compilePredicate, type EvalContext } from '../../read/expr/compile.js';
import { parseSql } from '../../read/expr/parse-sql.js';
import { sqlText } from '../../read/expr/sql-ast.js';
import { footprintFor } from '../../write/footprint.js';
import { planReadColumns } from '../../read/read-data-file.js';
import { removeFor, type WriteInput } from '../../write/write.js';
import { bindClauses, type MergeClause, type MergeClauseSpec } from './merge-clauses.js';
import { mergeScope, pairContext } from './merge-scope.js';
import { readMergeSource } from './merge-source.js';
import { mergeTargetSchema } from './merge-schema.js';
import { equiJoinKeys, keyRangeFilter, onCondition } from './merge-join.js';
import { bindFilter, compare, type BoundTerm } from '../../read/filter.js';
import { pruneFiles } from '../../read/scan.js';
import type { ActiveFile } from '../../../snapshot/snapshot.js';

export interface MergeOptions {
  /** The join condition: SQL over both aliases, or column names both sides share (equality on each). */
  on: string | string[];
  /** @defaultValue 'source' */
  sourceAlias?: string;
  /** @defaultValue 'target' */
  targetAlias?: string;
  /**
   * `'merge'`: add the source's columns the target lacks when UpdateAll/InsertAll (or an
   * assignment of that name) writes them; other rows read them as NULL. Without it such a merge
   * is refused (SCHEMA_MISMATCH).
   */
  schemaMode?: 'merge';
}

/** What a MERGE did (delta-rs / Spark metric names). */
export interface MergeResult {
  version: Version;
  numSourceRows: number;
  numTargetRowsInserted: number;
  numTargetRowsUpdated: number;
  numTargetRowsDeleted: number;
  numTargetRowsCopied: number;
  numOutputRows: number;
  numTargetFilesAdded: number;
  numTargetFilesRemoved: number;
  numTargetChangeFilesAdded: number;
  numTargetDeletionVectorsAdded: number;
  numTargetDeletionVectorsRemoved: number;
  numTargetDeletionVectorsUpdated: number;
  /** Target files before and after pruning by the join keys (Spark's metric names). */
  numTargetFilesBeforeSkipping: number;
  numTargetFilesAfterSkipping: number;
}

/** Runs a MERGE: the source is read once, the target file by file (Spark's clause semantics). */
export async function executeMerge(snapshot: Snapshot, data: WriteInput, opts: MergeOptions, specs: MergeClauseSpec[], dml: DmlOptions = {}): Promise<MergeResult> {
  checkWriteSupport(snapshot.protocol, snapshot.metadata);
  const aliases = { target: opts.targetAlias ?? 'target', source: opts.sourceAlias ?? 'source' };
  const source = await readMergeSource(data);
  const target = mergeTargetSchema(snapshot, source.schema, specs, opts.schemaMode);
  const scope = mergeScope(target.schema, source.schema, aliases);
  const onText = onCondition(opts.on, aliases);
  const onNode = parseSql(onText);
  const on = compilePredicate(onNode, scope, onText);
  const clauses = bindClauses(specs, target.schema, source.schema, scope, aliases.source, opts.schemaMode === 'merge');
  if (clauses.some((c) => c.spec.action !== 'insert')) refuseAppendOnly(snapshot, 'MERGE');
  const matchedClauses = clauses.filter((c) => c.spec.kind === 'matched');
  const bySourceClauses = clauses.filter((c) => c.spec.kind === 'notMatchedBySource');
  const notMatchedClauses = clauses.filter((c) => c.spec.kind === 'notMatched');
  const onlyUnconditionalDelete = matchedClauses.length === 1 && matchedClauses[0]!.spec.action === 'delete' && !matchedClauses[0]!.predicate;
  // Spark never checks an insert-only merge for several source rows per target row: a matched
  // target row is left as it is whatever matched it (ClassicMergeExecutor's insert-only path).
  const insertOnly = matchedClauses.length === 0 && bySourceClauses.length === 0;
  const keys = equiJoinKeys(onNode, snapshot.schema, source.schema, aliases);
  const index = keys ? sourceIndex(source, keys.map((k) => k.source)) : undefined;

  const started = Date.now();
  const now = (dml.now ?? Date.now)();
  const useDvs = deletionVectorsWritable(snapshot.protocol, snapshot.metadata);
  const w = dmlWriters(snapshot, dml, true, target.schema);
  const { cdf, dvs, data: writer } = w;
  const fields = target.schema.fields;
  const arrowTypes = planReadColumns(snapshot, [...fields]).schema.fields.map((f) => f.type as DataType);
  const r: MergeResult = {
    version: snapshot.version, numSourceRows: source.numRows, numTargetRowsInserted: 0, numTargetRowsUpdated: 0, numTargetRowsDeleted: 0,
    numTargetRowsCopied: 0, numOutputRows: 0, numTargetFilesAdded: 0, numTargetFilesRemoved: 0, numTargetChangeFilesAdded: 0,
    numTargetDeletionVectorsAdded: 0, numTargetDeletionVectorsRemoved: 0, numTargetDeletionVectorsUpdated: 0,
    numTargetFilesBeforeSkipping: snapshot.files.length, numTargetFilesAfterSkipping: 0,
  };
  const sourceMatched = new Uint8Array(source.numRows);
  const allSource = Int32Array.from({ length: source.numRows }, (_, i) => i);
  const removes: RemoveAction[] = [];
  const dvAdds: AddAction[] = [];
  const readPaths: string[] = [];
  // Target files whose key range misses the source's cannot match; without NOT MATCHED BY SOURCE
  // clauses they are not read at all (Spark reads only the files the join can touch).
  // That key filter is also the merge's read predicate for conflicts: a file another writer adds
  // outside it holds no row the join could match. Its partition terms (a partition column among
  // the keys) narrow the read to those partitions; otherwise the merge reads the whole table.
  let files: ActiveFile[] = [...snapshot.files];
  let readWholeTable = true;
  let readPredicate: BoundTerm[][] | undefined;
  if (keys && bySourceClauses.length === 0) {
    const range = keyRangeFilter(keys, snapshot.schema, source, compare as never);
    if (range === false) {
      files = [];
      readWholeTable = false;
    } else if (range) {
      readPredicate = bindFilter(range, snapshot.schema);
      files = pruneFiles(snapshot, readPredicate);
      readWholeTable = false;
    }
  }
  r.numTargetFilesAfterSkipping = files.length;
  for (const file of files) {
    readPaths.push(file.add.path);
    const deleted = file.add.deletionVector ? await loadDeletedRows(snapshot.store, file.add.deletionVector, file.path) : new Float64Array(0);
    const touched: number[] = [];
    const kept: RecordBatch[] = [];
    let live = 0;
    await readLiveRows(snapshot, file, deleted, fields, async (batch, rowIndexes) => {
      live += batch.numRows;
      const tctx = batchContext(batch, fields);
      // Candidate pairs (hash join on the equality keys when there are any), then the full ON.
      const pti: number[] = [];
      const psi: number[] = [];
      for (let i = 0; i < batch.numRows; i++) {
        const candidates = index ? index.get(keyOf(keys!.map((k) => tctx.column(k.target)[i]!))) ?? [] : allSource;
        for (const s of candidates) { pti.push(i); psi.push(s); }
      }
      const hit = on.evaluate(pairContext((n) => tctx.column(n), (n) => source.column(n), pti, psi));
      const matchOf = new Int32Array(batch.numRows).fill(-1);
      for (let k = 0; k < hit.length; k++) {
        if (hit[k] !== true) continue;
        const t = pti[k]!;
        if (matchOf[t]! >= 0 && !onlyUnconditionalDelete && !insertOnly) {
          throw new DeltaError('INVALID_ARGUMENT', 'several source rows match the same target row (DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE); nothing was committed', {
            hint: 'make the source rows unique on the join keys first (e.g. keep the latest row per key)',
          });
        }
        if (matchOf[t]! < 0) matchOf[t] = psi[k]!;
        sourceMatched[psi[k]!] = 1;
      }
      const matchedRows: number[] = [];
      const unmatchedRows: number[] = [];
      for (let i = 0; i < batch.numRows; i++) (matchOf[i]! >= 0 ? matchedRows : unmatchedRows).push(i);
      const actionOf = new Int8Array(batch.numRows); // 0 copy, 1 updated, 2 deleted
      const apply = async (clauseList: MergeClause[], rows: number[], withSource: boolean): Promise<void> => {
        let remaining = rows;
        for (const clause of clauseList) {
          if (remaining.length === 0) break;
          const si = remaining.map((t) => (withSource ? matchOf[t]! : -1));
          const ctx = pairContext((n) => tctx.column(n), (n) => source.column(n), remaining, si);
          const sel = clause.predicate ? clause.predicate.evaluate(ctx) : undefined;
          const chosen = remaining.filter((_, k) => !sel || sel[k] === true);
          remaining = remaining.filter((_, k) => sel && sel[k] !== true);
          if (chosen.length === 0) continue;
          const before = takeRows(batch, Int32Array.from(chosen));
          if (clause.spec.action === 'delete') {
            for (const t of chosen) actionOf[t] = 2;
            r.numTargetRowsDeleted += chosen.length;
            await cdf?.write(before, 'delete');
            continue;
          }
          for (const t of chosen) actionOf[t] = 1;
          r.numTargetRowsUpdated += chosen.length;
          const cctx = pairContext((n) => tctx.column(n), (n) => source.column(n), chosen, chosen.map((t) => (withSource ? matchOf[t]! : -1)));
          const after = assignRows(before, cctx, clause, fields, arrowTypes);
          await writer.write(after);
          if (cdf) {
            await cdf.write(before, 'update_preimage');
            await cdf.write(after, 'update_postimage');
          }
        }
      };
      await apply(matchedClauses, matchedRows, true);
      await apply(bySourceClauses, unmatchedRows, false);
      const copy: number[] = [];
      for (let i = 0; i < batch.numRows; i++) {
        if (actionOf[i] !== 0) touched.push(rowIndexes[i]!);
        else copy.push(i);
      }
      if (copy.length > 0) kept.push(copy.length === batch.numRows ? batch : takeRows(batch, Int32Array.from(copy)));
    });
    if (touched.length === 0) continue;
    const hadDv = file.add.deletionVector !== undefined;
    removes.push(removeFor(file.add, now));
    if (hadDv) r.numTargetDeletionVectorsRemoved++;
    if (touched.length === live) continue;
    if (useDvs) {
      dvAdds.push(addWithDeletionVector(file.add, dvs.add(mergeRows(deleted, touched))));
      r.numTargetDeletionVectorsAdded++;
      if (hadDv) r.numTargetDeletionVectorsUpdated++;
    } else {
      for (const b of kept) {
        r.numTargetRowsCopied += b.numRows;
        await writer.write(b);
      }
    }
  }
  // Source rows that matched no target row: WHEN NOT MATCHED clauses, in order.
  let remaining = [...allSource].filter((s) => sourceMatched[s] === 0);
  for (const clause of notMatchedClauses) {
    if (remaining.length === 0) break;
    const ctx = pairContext(() => [], (n) => source.column(n), remaining.map(() => -1), remaining);
    const sel = clause.predicate ? clause.predicate.evaluate(ctx) : undefined;
    const chosen = remaining.filter((_, k) => !sel || sel[k] === true);
    remaining = remaining.filter((_, k) => sel && sel[k] !== true);
    if (chosen.length === 0) continue;
    const ictx = pairContext(() => [], (n) => source.column(n), chosen.map(() => -1), chosen);
    const rows = insertRows(ictx, clause, fields, arrowTypes, planReadColumns(snapshot, [...fields]).schema);
    r.numTargetRowsInserted += rows.numRows;
    await writer.write(rows);
    await cdf?.write(rows, 'insert');
  }
  r.numOutputRows = r.numTargetRowsInserted + r.numTargetRowsUpdated + r.numTargetRowsCopied;
  if (removes.length === 0 && r.numTargetRowsInserted === 0 && target.added.length === 0) return r;
  const out = await finishWriters(w);
  r.numTargetFilesAdded = out.written.length;
  r.numTargetFilesRemoved = removes.length - dvAdds.length;
  r.numTargetChangeFilesAdded = out.cdcFiles.length;
  const clauseParams = (list: MergeClause[]): string => JSON.stringify(list.map((c) => ({ ...(c.predicateText ? { predicate: c.predicateText } : {}), actionType: c.spec.action })));
  const metrics = Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'version').map(([k, v]) => [k, String(v)]));
  const version = await commitDml(snapshot, {
    actions: dmlActions(removes, dvAdds, out, target.actions),
    operation: 'MERGE',
    operationParameters: {
      predicate: JSON.stringify([sqlText(onNode)]),
      matchedPredicates: clauseParams(matchedClauses),
      notMatchedPredicates: clauseParams(notMatchedClauses),
      notMatchedBySourcePredicates: clauseParams(bySourceClauses),
    },
    operationMetrics: { ...metrics, executionTimeMs: String(Date.now() - started) },
    // Serializable: the key filter above (or the whole table) is what the merge read.
    footprint: footprintFor({ snapshot, isBlindAppend: false, readWholeTable, predicate: readPredicate, readPaths, removes, appIds: [], changesMetadata: target.added.length > 0, changesProtocol: target.actions.some((a) => 'protocol' in a) }),
  }, dml);
  return { ...r, version };
}

/** The source rows indexed by their join key (rows with a NULL key part never match). */
function sourceIndex(source: { numRows: number; column(n: string): unknown[] }, names: string[]): Map<string, number[]> {
  const cols = names.map((n) => source.column(n));
  const index = new Map<string, number[]>();
  for (let i = 0; i < source.numRows; i++) {
    const parts = cols.map((c) => c[i]);
    if (parts.some((p) => p === null)) continue;
    const k = keyOf(parts);
    const list = index.get(k);
    if (list) list.push(i);
    else index.set(k, [i]);
  }
  return index;
}

function keyOf(parts: unknown[]): string {
  return parts.map((p) => (typeof p === 'string' ? `s${p}` : `n${String(p)}`)).join('\u0000');
}

/** Target rows with a clause's assignments applied. */
function assignRows(before: RecordBatch, ctx: EvalContext, clause: MergeClause, fields: readonly { name: string; nullable: boolean }[], types: DataType[]): RecordBatch {
  const children = fields.map((f, i): Data => {
    const compute = clause.assign.get(f.name);
    if (!compute) return before.getChildAt(i)!.data[0]!;
    return checkedData(f, types[i]!, compute(ctx));
  });
  return new RecordBatch(before.schema, makeData({ type: new Struct(before.schema.fields), length: before.numRows, nullCount: 0, children }));
}

function insertRows(ctx: EvalContext, clause: MergeClause, fields: readonly { name: string; nullable: boolean }[], types: DataType[], schema: RecordBatch['schema']): RecordBatch {
  const children = fields.map((f, i): Data => {
    const compute = clause.assign.get(f.name);
    if (!compute) {
      if (!f.nullable) throw invalidArgument(`the merge insert gives no value for the non-nullable column "${f.name}"`, `add "${f.name}" to values`);
      return nullData(types[i]!, ctx.length);
    }
    return checkedData(f, types[i]!, compute(ctx));
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: ctx.length, nullCount: 0, children }));
}

function checkedData(f: { name: string; nullable: boolean }, type: DataType, values: unknown[]): Data {
  if (!f.nullable && values.some((v) => v === null)) throw invalidArgument(`the merge would set the non-nullable column "${f.name}" to NULL`, 'guard the value, e.g. COALESCE(<value>, <default>)');
  return valuesToData(type, values as never);
}
