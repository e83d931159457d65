import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Float64, Int64, Utf8 } from 'apache-arrow';
import { DeltaTable } from '../../src/index.js';
import { batchOf, tempDir } from '../support/temp.js';
import { buildModelTable, modelOrder, modelRows, showRow, tableRows, X_VALUES, S_VALUES, type ModelRow } from '../support/dml-model.js';

interface SourceRow { id: bigint; x: number | null; s: string | null }

const plan = fc.record({
  matchedDelete: fc.boolean(), matchedUpdate: fc.boolean(), insert: fc.boolean(), insertOnlyPositive: fc.boolean(),
  bySourceDelete: fc.boolean(), bySourceUpdate: fc.boolean(),
});

test('MERGE equals the clause-by-clause model: first matching clause wins, unmatched sides handled, DV on/off, partitioned or not', { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(modelRows(6), { minLength: 1, maxLength: 3 }),
      fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { maxLength: 8 }).chain((ids) => fc.tuple(...ids.map((id) => fc.record({ x: fc.constantFrom(...X_VALUES), s: fc.constantFrom(...S_VALUES) }).map((r) => ({ ...r, id: BigInt(id) }))))),
      plan, fc.boolean(), fc.boolean(),
      async (appends, src: SourceRow[], p, dvs, partitioned) => {
        if (!p.matchedDelete && !p.matchedUpdate && !p.insert && !p.bySourceDelete && !p.bySourceUpdate) p.insert = true;
        const uri = await tempDir('dlts-prop-merge-');
        const { model } = await buildModelTable(uri, appends, { dvs, partitioned });
        const before = model.map(showRow).sort();
        const version = (await DeltaTable.open(uri)).version;
        let b = (await DeltaTable.open(uri)).merge(batchOf({
          id: { type: new Int64(), values: src.map((r) => r.id) },
          x: { type: new Float64(), values: src.map((r) => r.x) },
          s: { type: new Utf8(), values: src.map((r) => r.s) },
        }), { on: 'target.id = source.id' });
        if (p.matchedDelete) b = b.whenMatchedDelete({ predicate: 'source.x > 0' });
        if (p.matchedUpdate) b = b.whenMatchedUpdate({ set: { s: 'source.s', x: 'COALESCE(source.x, target.x)' } });
        if (p.insert) b = b.whenNotMatchedInsert({ ...(p.insertOnlyPositive ? { predicate: 'source.x > 0' } : {}), values: { id: 'source.id', x: 'source.x', s: 'source.s', p: "'new'" } });
        if (p.bySourceDelete) b = b.whenNotMatchedBySourceDelete({ predicate: 'target.x IS NULL' });
        if (p.bySourceUpdate) b = b.whenNotMatchedBySourceUpdate({ set: { s: "'gone'" } });
        const r = await b.execute();
        // The model.
        const bySource = new Map(src.map((s) => [s.id, s]));
        const out: ModelRow[] = [];
        let updated = 0;
        let deleted = 0;
        for (const t of model) {
          const s = bySource.get(t.id);
          if (s) {
            if (p.matchedDelete && s.x !== null && modelOrder(s.x, 0) > 0) { deleted++; continue; }
            if (p.matchedUpdate) { updated++; out.push({ ...t, s: s.s, x: s.x ?? t.x }); continue; }
            out.push(t);
          } else {
            if (p.bySourceDelete && t.x === null) { deleted++; continue; }
            if (p.bySourceUpdate) { updated++; out.push({ ...t, s: 'gone' }); continue; }
            out.push(t);
          }
        }
        const targetIds = new Set(model.map((t) => t.id));
        const inserts = src.filter((s) => !targetIds.has(s.id) && p.insert && (!p.insertOnlyPositive || (s.x !== null && modelOrder(s.x, 0) > 0)));
        for (const s of inserts) out.push({ id: s.id, x: s.x, s: s.s, p: 'new' });
        const what = JSON.stringify({ p, src: src.map((s) => ({ ...s, id: Number(s.id) })) });
        assert.deepEqual([r.numTargetRowsUpdated, r.numTargetRowsDeleted, r.numTargetRowsInserted], [updated, deleted, inserts.length], what);
        assert.deepEqual(await tableRows(uri), out.map(showRow).sort(), what);
        assert.deepEqual(await tableRows(uri, version), before, what);
      },
    ),
    { seed: 14_003, numRuns: 30, endOnFailure: true },
  );
});
