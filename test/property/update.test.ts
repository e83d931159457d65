import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable } from '../../src/index.js';
import { tempDir } from '../support/temp.js';
import { buildModelTable, modelPredicate, modelRows, modelSet, showRow, tableRows, type ModelRow } from '../support/dml-model.js';

test('UPDATE changes exactly the rows where the predicate is TRUE, as the model says; earlier versions unchanged; CDF has pre/post images', { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(modelRows(8), { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(fc.option(modelPredicate, { nil: undefined }), modelSet), { minLength: 1, maxLength: 3 }),
      fc.boolean(), fc.boolean(), fc.boolean(),
      async (appends, updates, dvs, partitioned, cdf) => {
        const uri = await tempDir('dlts-prop-upd-');
        const built = await buildModelTable(uri, appends, { dvs, partitioned, cdf });
        let model = built.model;
        const versions = built.versions;
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
