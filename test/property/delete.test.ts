import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable } from '../../src/index.js';
import { tempDir } from '../support/temp.js';
import { buildModelTable, modelPredicate, modelRows, showRow, tableRows } from '../support/dml-model.js';

const SEED = 14_001;

test('DELETE leaves exactly the rows where the predicate is not TRUE, every earlier version unchanged (DV on/off, partitioned or not)', { timeout: 600_000 }, async () => {
  const seen = { dv: 0, rewrite: 0, wholeFile: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.array(modelRows(8), { minLength: 1, maxLength: 3 }), // one append per element: several files
      fc.array(modelPredicate, { minLength: 1, maxLength: 3 }),
      fc.boolean(), fc.boolean(), fc.boolean(),
      async (appends, predicates, dvs, partitioned, cdf) => {
        const uri = await tempDir('dlts-prop-del-');
        const built = await buildModelTable(uri, appends, { dvs, partitioned, cdf });
        let model = built.model;
        const versions = built.versions;
        for (const p of predicates) {
          const before = (await DeltaTable.open(uri)).version;
          const deleted = model.filter((r) => p.eval(r) === true);
          const r = await (await DeltaTable.open(uri)).delete(p.sql);
          model = model.filter((row) => p.eval(row) !== true);
          seen.dv += r.numDeletionVectorsAdded;
          seen.rewrite += r.numAddedFiles;
          seen.wholeFile += r.numRemovedFiles;
          assert.equal(r.numDeletedRows, deleted.length, p.sql);
          assert.equal(r.version, deleted.length === 0 ? before : before + 1, p.sql);
          assert.deepEqual(await tableRows(uri), model.map(showRow).sort(), p.sql);
          if (deleted.length > 0) {
            versions.push(model.map(showRow).sort());
            if (cdf) {
              const feed = (await (await DeltaTable.open(uri)).changes({ startingVersion: r.version, endingVersion: r.version })).toArray();
              assert.deepEqual(feed.map((x) => `${x._change_type} ${x.id}`).sort(), deleted.map((d) => `delete ${d.id}`).sort(), `feed of ${p.sql}`);
            }
          }
        }
        for (const [v, rows] of versions.entries()) assert.deepEqual(await tableRows(uri, v), rows, `version ${v}`);
      },
    ),
    { seed: SEED, numRuns: 40, endOnFailure: true },
  );
  // The runs exercised every path: DVs, copy-on-write rewrites and whole-file removes.
  assert.ok(seen.dv > 0 && seen.rewrite > 0 && seen.wholeFile > 0, JSON.stringify(seen));
});
