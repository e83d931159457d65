import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { tempDir } from '../support/temp.js';
import { modelPredicate, modelRows, rowsBatch, showRow, tableRows, type ModelRow } from '../support/dml-model.js';

/** Assignments as SQL (or JS literals) with their model. */
interface ModelSet { set: Record<string, unknown>; apply(r: ModelRow): ModelRow }

const modelSet: fc.Arbitrary<ModelSet> = fc.constantFrom<ModelSet>(
  { set: { x: 'x + 1' }, apply: (r) => ({ ...r, x: r.x === null ? null : r.x + 1 }) },
  { set: { x: 'COALESCE(x, -1.5)' }, apply: (r) => ({ ...r, x: r.x ?? -1.5 }) },
  { set: { s: "s || '|'" }, apply: (r) => ({ ...r, s: r.s === null ? null : `${r.s}|` }) },
  { set: { s: "CASE WHEN x > 0 THEN 'pos' WHEN x IS NULL THEN NULL ELSE 'neg' END" }, apply: (r) => ({ ...r, s: r.x === null ? null : r.x > 0 ? 'pos' : 'neg' }) },
  { set: { p: "'moved'" }, apply: (r) => ({ ...r, p: 'moved' }) },
  { set: { p: null, x: 0 }, apply: (r) => ({ ...r, p: null, x: 0 }) },
  { set: { s: 'CAST(id AS STRING)', x: 'CAST(id AS DOUBLE) / 2' }, apply: (r) => ({ ...r, s: String(r.id), x: Number(r.id) / 2 }) },
);

test('UPDATE changes exactly the rows where the predicate is TRUE, as the model says; earlier versions unchanged; CDF has pre/post images', { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(modelRows(8), { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(fc.option(modelPredicate, { nil: undefined }), modelSet), { minLength: 1, maxLength: 3 }),
      fc.boolean(), fc.boolean(), fc.boolean(),
      async (appends, updates, dvs, partitioned, cdf) => {
        const uri = await tempDir('dlts-prop-upd-');
        let model: ModelRow[] = [];
        let nextId = 0n;
        const versions: string[][] = [];
        for (const [i, rows] of appends.entries()) {
          const withIds = rows.map((r) => ({ ...r, id: nextId++ }));
          await writeDeltaTable(uri, rowsBatch(withIds), {
            mode: i === 0 ? 'error' : 'append',
            ...(i === 0 ? {
              ...(partitioned ? { partitionBy: ['p'] } : {}),
              properties: { ...(dvs ? { 'delta.enableDeletionVectors': 'true' } : {}), ...(cdf ? { 'delta.enableChangeDataFeed': 'true' } : {}) },
            } : {}),
          });
          model = [...model, ...withIds];
          versions.push(model.map(showRow).sort());
        }
        for (const [p, s] of updates) {
          const hit = (r: ModelRow): boolean => p === undefined || p.eval(r) === true;
          const changed = model.filter(hit);
          const r = await (await DeltaTable.open(uri)).update({ ...(p ? { predicate: p.sql } : {}), set: s.set });
          const what = `${p?.sql ?? '(all)'} SET ${JSON.stringify(s.set)}`;
          model = model.map((row) => (hit(row) ? s.apply(row) : row));
          assert.equal(r.numUpdatedRows, changed.length, what);
          assert.deepEqual(await tableRows(uri), model.map(showRow).sort(), what);
          if (changed.length > 0) {
            versions.push(model.map(showRow).sort());
            if (cdf) {
              const feed = (await (await DeltaTable.open(uri)).changes({ startingVersion: r.version, endingVersion: r.version })).toArray();
              assert.deepEqual(feed.filter((x) => x._change_type === 'update_preimage').map((x) => String(x.id)).sort(), changed.map((c) => String(c.id)).sort(), what);
              assert.equal(feed.length, 2 * changed.length, what);
            }
          }
        }
        for (const [v, rows] of versions.entries()) assert.deepEqual(await tableRows(uri, v), rows, `version ${v}`);
      },
    ),
    { seed: 14_002, numRuns: 30, endOnFailure: true },
  );
});
