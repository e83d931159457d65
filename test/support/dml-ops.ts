import fc from 'fast-check';
import { Float64, Int64, Utf8 } from 'apache-arrow';
import type { MergeBuilder } from '../../src/ops/dml/merge/merge-builder.js';
import { modelOrder, modelPredicate, modelRows, modelSet, P_VALUES, S_VALUES, showRow, X_VALUES, type ModelPredicate, type ModelRow, type ModelSet } from './dml-model.js';
import { batchOf } from './temp.js';

/**
 * Random DML operations with an in-memory model of what each does to the rows and to the change
 * feed, for the model-based property test. Every generated value prints as a readable line.
 */

/** A row change as the change data feed shows it. */
export type ModelChange = [type: 'insert' | 'delete' | 'update_preimage' | 'update_postimage', row: ModelRow];

/** A boolean condition of a merge clause over the target row and its source row (absent: NULL columns). */
interface MergeCond { sql: string; eval(t: ModelRow | undefined, s: ModelRow | undefined): boolean | null }

const gt0 = (v: number | null | undefined): boolean | null => (v === null || v === undefined ? null : modelOrder(v, 0) > 0);
const matchedConds: MergeCond[] = [
  { sql: 'source.x > 0', eval: (_t, s) => gt0(s!.x) },
  { sql: 'target.s IS NULL', eval: (t) => t!.s === null },
  { sql: 'source.s = target.s', eval: (t, s) => (t!.s === null || s!.s === null ? null : t!.s === s!.s) },
  { sql: 'target.id % 2 = 0', eval: (t) => t!.id % 2n === 0n },
];
const notMatchedConds: MergeCond[] = [
  { sql: 'source.x > 0', eval: (_t, s) => gt0(s!.x) },
  { sql: 'source.s IS NOT NULL', eval: (_t, s) => s!.s !== null },
  { sql: 'source.id % 2 = 1', eval: (_t, s) => s!.id % 2n === 1n },
];
const bySourceConds: MergeCond[] = [
  { sql: 'target.x IS NULL', eval: (t) => t!.x === null },
  { sql: 'target.id % 3 = 0', eval: (t) => t!.id % 3n === 0n },
  { sql: "target.p = 'a'", eval: (t) => (t!.p === null ? null : t!.p === 'a') },
];

/** Assignments of a merge clause with their model (t: target row, s: source row). */
interface MergeSet { set: Record<string, unknown>; apply(t: ModelRow | undefined, s: ModelRow | undefined): ModelRow }
const matchedSets: MergeSet[] = [
  { set: { s: 'source.s', x: 'COALESCE(source.x, target.x)' }, apply: (t, s) => ({ ...t!, s: s!.s, x: s!.x ?? t!.x }) },
  { set: { x: 'target.x + 1', p: 'source.p' }, apply: (t, s) => ({ ...t!, x: t!.x === null ? null : t!.x + 1, p: s!.p }) },
];
const insertValues: MergeSet[] = [
  { set: { id: 'source.id', x: 'source.x', s: 'source.s', p: "'new'" }, apply: (_t, s) => ({ id: s!.id, x: s!.x, s: s!.s, p: 'new' }) },
  { set: { id: 'source.id', s: "'ins'" }, apply: (_t, s) => ({ id: s!.id, x: null, s: 'ins', p: null }) },
];
const bySourceSets: MergeSet[] = [
  { set: { s: "'gone'" }, apply: (t) => ({ ...t!, s: 'gone' }) },
  { set: { p: "'b c'", x: 'target.x * 2' }, apply: (t) => ({ ...t!, p: 'b c', x: t!.x === null ? null : t!.x * 2 }) },
];

export type ClauseKind = 'matched' | 'notMatched' | 'notMatchedBySource';
export interface ModelClause {
  kind: ClauseKind;
  action: 'update' | 'updateAll' | 'delete' | 'insert' | 'insertAll';
  cond: MergeCond | undefined;
  set: MergeSet | undefined;
}

export type DmlOp =
  | { kind: 'append'; rows: ModelRow[] }
  | { kind: 'delete'; predicate: ModelPredicate | undefined }
  | { kind: 'update'; predicate: ModelPredicate | undefined; set: ModelSet }
  | { kind: 'merge'; source: ModelRow[]; clauses: ModelClause[] };

const readable = <T extends object>(value: T, text: string): T => Object.assign(value, { [fc.toStringMethod]: () => text });

const cond = (list: MergeCond[]): fc.Arbitrary<MergeCond | undefined> => fc.option(fc.constantFrom(...list), { nil: undefined, freq: 3 });

const clauseArb: fc.Arbitrary<ModelClause> = fc.oneof(
  fc.record({ cond: cond(matchedConds), set: fc.constantFrom(...matchedSets) }).map((c) => ({ kind: 'matched' as const, action: 'update' as const, ...c })),
  cond(matchedConds).map((c) => ({ kind: 'matched' as const, action: 'updateAll' as const, cond: c, set: undefined })),
  cond(matchedConds).map((c) => ({ kind: 'matched' as const, action: 'delete' as const, cond: c, set: undefined })),
  fc.record({ cond: cond(notMatchedConds), set: fc.constantFrom(...insertValues) }).map((c) => ({ kind: 'notMatched' as const, action: 'insert' as const, ...c })),
  cond(notMatchedConds).map((c) => ({ kind: 'notMatched' as const, action: 'insertAll' as const, cond: c, set: undefined })),
  fc.record({ cond: cond(bySourceConds), set: fc.constantFrom(...bySourceSets) }).map((c) => ({ kind: 'notMatchedBySource' as const, action: 'update' as const, ...c })),
  cond(bySourceConds).map((c) => ({ kind: 'notMatchedBySource' as const, action: 'delete' as const, cond: c, set: undefined })),
);

/**
 * Clauses as Spark accepts them: within each kind only the last may omit its condition (an
 * earlier one without is given its kind's first condition). Sorted by kind, keeping their order.
 */
function legalClauses(list: ModelClause[]): ModelClause[] {
  const firstCond = { matched: matchedConds[0]!, notMatched: notMatchedConds[0]!, notMatchedBySource: bySourceConds[0]! };
  const out: ModelClause[] = [];
  for (const kind of ['matched', 'notMatched', 'notMatchedBySource'] as const) {
    const ofKind = list.filter((c) => c.kind === kind);
    ofKind.forEach((c, i) => out.push(i < ofKind.length - 1 && !c.cond ? { ...c, cond: firstCond[kind] } : c));
  }
  return out;
}

const clauseText = (c: ModelClause): string => `when${c.kind[0]!.toUpperCase()}${c.kind.slice(1)}${c.action[0]!.toUpperCase()}${c.action.slice(1)}(${c.cond ? JSON.stringify(c.cond.sql) : ''}${c.set ? ` ${JSON.stringify(c.set.set)}` : ''})`;

/** Source rows: ids some of them in the table (0..maxId), some new; now and then an id twice. */
const sourceArb = (maxId: number): fc.Arbitrary<ModelRow[]> => fc.oneof(
  { arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: maxId }), { minLength: 1, maxLength: 5 }), weight: 4 },
  { arbitrary: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 5 }), weight: 2 },
).chain((ids) =>
  fc.tuple(...ids.map((id) => fc.record({ p: fc.constantFrom(...P_VALUES), x: fc.constantFrom(...X_VALUES), s: fc.constantFrom(...S_VALUES) }).map((r) => ({ ...r, id: BigInt(id) })))));

export const dmlOpArb: fc.Arbitrary<DmlOp> = fc.oneof(
  modelRows(5).map((rows) => readable({ kind: 'append' as const, rows }, `append ${rows.length} rows ${rows.map((r) => showRow(r)).join(' ')}`)),
  fc.option(modelPredicate, { nil: undefined, freq: 5 }).map((p) => readable({ kind: 'delete' as const, predicate: p }, `delete(${p ? JSON.stringify(p.sql) : ''})`)),
  fc.tuple(fc.option(modelPredicate, { nil: undefined, freq: 5 }), modelSet).map(([p, set]) => readable({ kind: 'update' as const, predicate: p, set }, `update({ predicate: ${p ? JSON.stringify(p.sql) : 'none'}, set: ${JSON.stringify(set.set)} })`)),
  fc.tuple(sourceArb(14), fc.array(clauseArb, { minLength: 1, maxLength: 4 })).map(([source, cs]) => {
    const clauses = legalClauses(cs);
    return readable({ kind: 'merge' as const, source, clauses }, `merge(source ${source.map((r) => showRow(r)).join(' ')}, on id).${clauses.map(clauseText).join('.')}`);
  }),
);

/** Appended rows get ids from the model's counter, so the model fixes them before the table sees them. */
export function numberRows(rows: ModelRow[], nextId: { value: bigint }): ModelRow[] {
  return rows.map((r) => ({ ...r, id: nextId.value++ }));
}

/**
 * Spark refuses a MERGE in which a target row joins several source rows, unless the merge is
 * insert-only (never checked) or its only MATCHED clause is an unconditional DELETE.
 */
export function mergeRefused(rows: ModelRow[], op: DmlOp & { kind: 'merge' }): boolean {
  const matched = op.clauses.filter((c) => c.kind === 'matched');
  if (op.clauses.every((c) => c.kind === 'notMatched')) return false;
  if (matched.length === 1 && matched[0]!.action === 'delete' && !matched[0]!.cond) return false;
  return rows.some((t) => op.source.filter((s) => s.id === t.id).length > 1);
}

/** What a DML operation does to the model: the rows after it and the changes, in no particular order. */
export function applyModel(rows: ModelRow[], op: DmlOp): { rows: ModelRow[]; changes: ModelChange[] } {
  const changes: ModelChange[] = [];
  const update = (before: ModelRow, after: ModelRow): ModelRow => {
    changes.push(['update_preimage', before], ['update_postimage', after]);
    return after;
  };
  switch (op.kind) {
    case 'append':
      return { rows: [...rows, ...op.rows], changes: op.rows.map((r) => ['insert', r]) };
    case 'delete': {
      const hit = (r: ModelRow): boolean => !op.predicate || op.predicate.eval(r) === true;
      rows.filter(hit).forEach((r) => changes.push(['delete', r]));
      return { rows: rows.filter((r) => !hit(r)), changes };
    }
    case 'update': {
      const hit = (r: ModelRow): boolean => !op.predicate || op.predicate.eval(r) === true;
      return { rows: rows.map((r) => (hit(r) ? update(r, op.set.apply(r)) : r)), changes };
    }
    case 'merge': {
      const out: ModelRow[] = [];
      // First source row per id: only a merge that cannot see the difference gets this far.
      const bySource = new Map<bigint, ModelRow>();
      for (const s of op.source) if (!bySource.has(s.id)) bySource.set(s.id, s);
      for (const t of rows) {
        const s = bySource.get(t.id);
        const clause = op.clauses.find((c) => c.kind === (s ? 'matched' : 'notMatchedBySource') && (!c.cond || c.cond.eval(t, s) === true));
        if (!clause) out.push(t);
        else if (clause.action === 'delete') changes.push(['delete', t]);
        else if (clause.action === 'updateAll') out.push(update(t, { ...s! }));
        else out.push(update(t, clause.set!.apply(t, s)));
      }
      const targetIds = new Set(rows.map((t) => t.id));
      for (const s of op.source.filter((x) => !targetIds.has(x.id))) {
        const clause = op.clauses.find((c) => c.kind === 'notMatched' && (!c.cond || c.cond.eval(undefined, s) === true));
        if (!clause) continue;
        const row = clause.action === 'insertAll' ? { ...s } : clause.set!.apply(undefined, s);
        out.push(row);
        changes.push(['insert', row]);
      }
      return { rows: out, changes };
    }
  }
}

/** The merge source as an Arrow batch (id, p, x, s: the table's columns, so *All clauses apply). */
export function sourceBatch(rows: ModelRow[]): ReturnType<typeof batchOf> {
  return batchOf({
    id: { type: new Int64(), values: rows.map((r) => r.id) },
    p: { type: new Utf8(), values: rows.map((r) => r.p) },
    x: { type: new Float64(), values: rows.map((r) => r.x) },
    s: { type: new Utf8(), values: rows.map((r) => r.s) },
  });
}

/** Adds the op's clauses to a merge builder, in order. */
export function addClauses(b: MergeBuilder, clauses: ModelClause[]): MergeBuilder {
  for (const c of clauses) {
    const pred = c.cond ? { predicate: c.cond.sql } : {};
    if (c.kind === 'matched' && c.action === 'update') b = b.whenMatchedUpdate({ ...pred, set: c.set!.set });
    else if (c.kind === 'matched' && c.action === 'updateAll') b = b.whenMatchedUpdateAll(pred);
    else if (c.kind === 'matched') b = b.whenMatchedDelete(pred);
    else if (c.kind === 'notMatched' && c.action === 'insert') b = b.whenNotMatchedInsert({ ...pred, values: c.set!.set });
    else if (c.kind === 'notMatched') b = b.whenNotMatchedInsertAll(pred);
    else if (c.action === 'update') b = b.whenNotMatchedBySourceUpdate({ ...pred, set: c.set!.set });
    else b = b.whenNotMatchedBySourceDelete(pred);
  }
  return b;
}

export const showChange = ([type, row]: ModelChange): string => `${type} ${showRow(row)}`;
