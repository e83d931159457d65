import fc from 'fast-check';
import { Float64, Int64, Utf8, type RecordBatch } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { batchOf } from './temp.js';

/** A row of the DML model tables: id, partition p, double x, string s. */
export interface ModelRow { id: bigint; p: string | null; x: number | null; s: string | null }

export const P_VALUES = ['a', 'b c', 'é', null];
// Adversarial doubles: signed zeros, infinities, NaN, large magnitudes.
export const X_VALUES = [-0, 0, 1.5, -2, 10_000_000_000, Infinity, -Infinity, NaN, null];
export const S_VALUES = ['', "it's", 'é', 'Z', 'z', null];

export const modelRows = (maxLength: number): fc.Arbitrary<ModelRow[]> => fc.array(
  fc.record({ p: fc.constantFrom(...P_VALUES), x: fc.constantFrom(...X_VALUES), s: fc.constantFrom(...S_VALUES) }),
  { minLength: 1, maxLength },
).map((rs) => rs.map((r) => ({ ...r, id: 0n })));

export function rowsBatch(rows: ModelRow[]): RecordBatch {
  return batchOf({
    id: { type: new Int64(), values: rows.map((r) => r.id) },
    p: { type: new Utf8(), values: rows.map((r) => r.p) },
    x: { type: new Float64(), values: rows.map((r) => r.x) },
    s: { type: new Utf8(), values: rows.map((r) => r.s) },
  });
}

/** A predicate as SQL text and as a three-valued model evaluator. */
export interface ModelPredicate { sql: string; eval(r: ModelRow): boolean | null }

const lit = (v: string): string => `'${v.replace(/'/g, "''")}'`;
/** Spark's order of doubles (spec/reading.md): NaN = NaN, NaN above +Infinity, -0.0 = 0.0. */
export function modelOrder(a: number | bigint, b: number | bigint): number {
  const aNaN = typeof a === 'number' && Number.isNaN(a);
  const bNaN = typeof b === 'number' && Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
const cmp = (a: number | bigint | null, b: number | bigint, op: string): boolean | null => {
  if (a === null) return null;
  const c = modelOrder(a, b);
  switch (op) {
    case '=': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    default: return c >= 0;
  }
};

const atom: fc.Arbitrary<ModelPredicate> = fc.oneof(
  fc.record({ op: fc.constantFrom('=', '!=', '<', '<=', '>', '>='), c: fc.constantFrom('0', '-0.0', '1.5', '-2', '10000000000') })
    .map(({ op, c }) => ({ sql: `x ${op} ${c}`, eval: (r: ModelRow) => cmp(r.x, Number(c), op) })),
  fc.record({ op: fc.constantFrom('=', '!='), v: fc.constantFrom('', "it's", 'é', 'z') })
    .map(({ op, v }) => ({ sql: `s ${op} ${lit(v)}`, eval: (r: ModelRow) => (r.s === null ? null : op === '=' ? r.s === v : r.s !== v) })),
  fc.constantFrom('a', 'b c', 'é').map((v) => ({ sql: `p = ${lit(v)}`, eval: (r: ModelRow) => (r.p === null ? null : r.p === v) })),
  fc.constantFrom('x', 's', 'p').chain((c) => fc.boolean().map((not) => ({
    sql: `${c} IS ${not ? 'NOT ' : ''}NULL`, eval: (r: ModelRow) => (r[c as 'x'] === null) !== not,
  }))),
  fc.record({ m: fc.integer({ min: 2, max: 4 }), k: fc.integer({ min: 0, max: 1 }) })
    .map(({ m, k }) => ({ sql: `id % ${m} = ${k}`, eval: (r: ModelRow) => r.id % BigInt(m) === BigInt(k) })),
  fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 4 })
    .map((xs) => ({ sql: `id IN (${xs.join(', ')})`, eval: (r: ModelRow) => xs.some((x) => BigInt(x) === r.id) })),
  fc.record({ lo: fc.integer({ min: 0, max: 20 }), w: fc.integer({ min: 0, max: 10 }) })
    .map(({ lo, w }) => ({ sql: `id BETWEEN ${lo} AND ${lo + w}`, eval: (r: ModelRow) => r.id >= BigInt(lo) && r.id <= BigInt(lo + w) })),
);

const and3 = (a: boolean | null, b: boolean | null): boolean | null => (a === false || b === false ? false : a === null || b === null ? null : true);
const or3 = (a: boolean | null, b: boolean | null): boolean | null => (a === true || b === true ? true : a === null || b === null ? null : false);

export const modelPredicate: fc.Arbitrary<ModelPredicate> = fc.letrec<{ p: ModelPredicate }>((tie) => ({
  p: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('p'), tie('p')).map(([a, b]) => ({ sql: `(${a.sql}) AND (${b.sql})`, eval: (r: ModelRow) => and3(a.eval(r), b.eval(r)) })),
    fc.tuple(tie('p'), tie('p')).map(([a, b]) => ({ sql: `(${a.sql}) OR (${b.sql})`, eval: (r: ModelRow) => or3(a.eval(r), b.eval(r)) })),
    tie('p').map((a) => ({ sql: `NOT (${a.sql})`, eval: (r: ModelRow) => { const v = a.eval(r); return v === null ? null : !v; } })),
  ),
})).p;

/** Assignments as SQL (or JS literals) with their model. */
export interface ModelSet { set: Record<string, unknown>; apply(r: ModelRow): ModelRow }

export const modelSet: fc.Arbitrary<ModelSet> = fc.constantFrom<ModelSet>(
  { set: { x: 'x + 1' }, apply: (r) => ({ ...r, x: r.x === null ? null : r.x + 1 }) },
  { set: { x: 'COALESCE(x, -1.5)' }, apply: (r) => ({ ...r, x: r.x ?? -1.5 }) },
  { set: { s: "s || '|'" }, apply: (r) => ({ ...r, s: r.s === null ? null : `${r.s}|` }) },
  { set: { s: "CASE WHEN x > 0 THEN 'pos' WHEN x IS NULL THEN NULL ELSE 'neg' END" }, apply: (r) => ({ ...r, s: r.x === null ? null : modelOrder(r.x, 0) > 0 ? 'pos' : 'neg' }) },
  { set: { p: "'moved'" }, apply: (r) => ({ ...r, p: 'moved' }) },
  { set: { p: null, x: 0 }, apply: (r) => ({ ...r, p: null, x: 0 }) },
  { set: { s: 'CAST(id AS STRING)', x: 'CAST(id AS DOUBLE) / 2' }, apply: (r) => ({ ...r, s: String(r.id), x: Number(r.id) / 2 }) },
);

/** The table's rows as sorted, comparable strings. */
export async function tableRows(uri: string, version?: number): Promise<string[]> {
  const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
  return (await t.toArrow()).toArray().map((r) => showRow({ id: r.id as bigint, p: r.p as string | null, x: r.x as number | null, s: r.s as string | null })).sort();
}

export function showRow(r: ModelRow): string {
  return JSON.stringify([String(r.id), r.p, r.x === null ? null : Object.is(r.x, -0) ? '-0' : String(r.x), r.s]);
}

/** How a model table is created. */
export interface ModelTableOptions { dvs: boolean; partitioned: boolean; cdf?: boolean }

/** The table properties of a model table. */
export function modelTableProperties(o: ModelTableOptions): Record<string, string> {
  return { ...(o.dvs ? { 'delta.enableDeletionVectors': 'true' } : {}), ...(o.cdf ? { 'delta.enableChangeDataFeed': 'true' } : {}) };
}

/**
 * Creates a table from one write per element of `appends` (so it has several files), numbering
 * ids 0, 1, 2... across them; returns the model rows and the model of each version written.
 */
export async function buildModelTable(uri: string, appends: ModelRow[][], o: ModelTableOptions): Promise<{ model: ModelRow[]; versions: string[][]; nextId: bigint }> {
  let model: ModelRow[] = [];
  let nextId = 0n;
  const versions: string[][] = [];
  for (const [i, rows] of appends.entries()) {
    const withIds = rows.map((r) => ({ ...r, id: nextId++ }));
    await writeDeltaTable(uri, rowsBatch(withIds), {
      mode: i === 0 ? 'error' : 'append',
      ...(i === 0 ? { ...(o.partitioned ? { partitionBy: ['p'] } : {}), properties: modelTableProperties(o) } : {}),
    });
    model = [...model, ...withIds];
    versions.push(model.map(showRow).sort());
  }
  return { model, versions, nextId };
}
