import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { tempDir } from '../support/temp.js';
import { modelRows, modelTableProperties, rowsBatch, showRow, tableRows, type ModelRow } from '../support/dml-model.js';
import { addClauses, applyModel, dmlOpArb, mergeRefused, numberRows, showChange, sourceBatch, type DmlOp, type ModelChange } from '../support/dml-ops.js';

/** Runs one operation on the table; returns the version it reports and its row counts. */
async function run(uri: string, op: DmlOp): Promise<{ version: number; counts: number[] }> {
  const table = await DeltaTable.open(uri);
  switch (op.kind) {
    case 'append': {
      const r = await writeDeltaTable(uri, rowsBatch(op.rows), { mode: 'append' });
      return { version: r.version, counts: [op.rows.length] };
    }
    case 'delete': {
      const r = await table.delete(op.predicate?.sql);
      return { version: r.version, counts: [r.numDeletedRows] };
    }
    case 'update': {
      const r = await table.update({ ...(op.predicate ? { predicate: op.predicate.sql } : {}), set: op.set.set });
      return { version: r.version, counts: [r.numUpdatedRows] };
    }
    case 'merge': {
      const r = await addClauses(table.merge(sourceBatch(op.source), { on: 'target.id = source.id' }), op.clauses).execute();
      return { version: r.version, counts: [r.numTargetRowsInserted, r.numTargetRowsUpdated, r.numTargetRowsDeleted] };
    }
  }
}

/** The counts the operation's result should report, from the model's changes. */
function expectedCounts(op: DmlOp, changes: ModelChange[]): number[] {
  const n = (t: ModelChange[0]): number => changes.filter((c) => c[0] === t).length;
  switch (op.kind) {
    case 'append': return [n('insert')];
    case 'delete': return [n('delete')];
    case 'update': return [n('update_preimage')];
    case 'merge': return [n('insert'), n('update_preimage'), n('delete')];
  }
}

async function feedOf(uri: string, version: number): Promise<string[]> {
  const rows = (await (await DeltaTable.open(uri)).changes({ startingVersion: version, endingVersion: version })).toArray();
  return rows.map((r) => showChange([r._change_type, { id: r.id as bigint, p: r.p as string | null, x: r.x as number | null, s: r.s as string | null }])).sort();
}

test('DML model: after any sequence of append/delete/update/merge (every clause kind), each version, time travel and each commit\'s change feed equal the in-memory model (DV on/off, partitioned or not, column mapping by name or none)', { timeout: 600_000 }, async () => {
  const seen = { commits: 0, merges: 0, dvTables: 0, noops: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(
      modelRows(6), fc.array(dmlOpArb, { minLength: 1, maxLength: Number(process.env.DML_MODEL_OPS ?? 5) }), fc.boolean(), fc.boolean(), fc.boolean(),
      async (initial, ops, dvs, partitioned, mapped) => {
        const uri = await tempDir('dlts-prop-dml-');
        const nextId = { value: 0n };
        let model: ModelRow[] = numberRows(initial, nextId);
        await writeDeltaTable(uri, rowsBatch(model), { ...(partitioned ? { partitionBy: ['p'] } : {}), properties: { ...modelTableProperties({ dvs, partitioned, cdf: true }), ...(mapped ? { 'delta.columnMapping.mode': 'name' } : {}) } });
        // history[v]: the rows of version v; feeds[v]: the changes commit v made.
        const history: string[][] = [model.map(showRow).sort()];
        const feeds: string[][] = [model.map((r) => showChange(['insert', r])).sort()];
        if (dvs) seen.dvTables++;
        for (const generated of ops) {
          const op = generated.kind === 'append' ? { ...generated, rows: numberRows(generated.rows, nextId) } : generated;
          const what = `${String(fc.stringify(generated))} at version ${history.length - 1}`;
          if (op.kind === 'merge' && mergeRefused(model, op)) {
            await assert.rejects(run(uri, op), (e: Error & { code: string }) => e.code === 'INVALID_ARGUMENT' && /DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE/.test(e.message), what);
            assert.equal((await DeltaTable.open(uri)).version, history.length - 1, `nothing committed by ${what}`);
            seen.refused++;
            continue;
          }
          const next = applyModel(model, op);
          const got = await run(uri, op);
          assert.deepEqual(got.counts, expectedCounts(op, next.changes), `counts of ${what}`);
          if (next.changes.length === 0) {
            // Nothing changes: nothing is committed.
            assert.equal(got.version, history.length - 1, `no commit for ${what}`);
            seen.noops++;
            continue;
          }
          assert.equal(got.version, history.length, `version of ${what}`);
          model = next.rows;
          history.push(model.map(showRow).sort());
          feeds.push(next.changes.map(showChange).sort());
          assert.deepEqual(await tableRows(uri), history.at(-1), `rows after ${what}`);
          seen.commits++;
          if (op.kind === 'merge') seen.merges++;
        }
        for (const [v, rows] of history.entries()) {
          assert.deepEqual(await tableRows(uri, v), rows, `time travel to version ${v}`);
          assert.deepEqual(await feedOf(uri, v), feeds[v], `change feed of version ${v}`);
        }
      },
    ),
    { seed: Number(process.env.DML_MODEL_SEED ?? 14_014), numRuns: Number(process.env.DML_MODEL_RUNS ?? 30) },
  );
  assert.ok(seen.commits > 30 && seen.merges > 5 && seen.dvTables > 5 && seen.noops > 0 && seen.refused > 0, JSON.stringify(seen));
});
