import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import type { Action } from '../../src/protocol/actions.js';
import { checkConflictJustified, INITIAL, opArb, operationOf, rows, serialModel, type Op } from '../support/concurrent-ops.js';
import { startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp.js';

async function commitActions(uri: string, v: number): Promise<Action[]> {
  const text = await readFile(path.join(uri, '_delta_log', `${String(v).padStart(20, '0')}.json`), 'utf8');
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Action);
}

for (const dvs of [false, true]) {
  test(`4 OS processes running appends, overwrites, DELETE, UPDATE and MERGE on one table (DVs ${dvs ? 'on' : 'off'}): the table equals the serial run in commit order, every acknowledged version is its writer's, every lost conflict names a justifying winner`, { timeout: 600_000 }, async () => {
    const uri = await tempDir('dlts-procs-dml-');
    await writeDeltaTable(uri, rows(INITIAL[0]!.part, INITIAL[0]!.ids), { partitionBy: ['part'], ...(dvs ? { properties: { 'delta.enableDeletionVectors': 'true' } } : {}) });
    await writeDeltaTable(uri, rows(INITIAL[1]!.part, INITIAL[1]!.ids), { mode: 'append' });
    const writers = 4;
    const plans: Op[][] = Array.from({ length: writers }, (_, w) => fc.sample(opArb, { seed: 1400 + w + (dvs ? 10 : 0), numRuns: 6 }));
    const runs = plans.map((ops, w) => startWorker('dml-worker', [uri, String(w), JSON.stringify(ops)]));
    const results = await Promise.all(runs.map((r) => r.done));
    results.forEach((r, w) => assert.equal(r.code, 0, `writer ${w} failed: ${r.stderr}`));
    const table = await DeltaTable.open(uri);
    const byVersion = new Map<number, Op>();
    let conflicts = 0;
    for (const [w, run] of runs.entries()) {
      for (const line of run.lines) {
        const [kind, index, arg, ...rest] = line.split(' ');
        const op = plans[w]![Number(index)]!;
        if (kind === 'ack') {
          const v = Number(arg);
          assert.ok(!byVersion.has(v), `version ${v} acknowledged twice`);
          byVersion.set(v, op);
          const info = (await commitActions(uri, v)).find((a): a is Extract<Action, { commitInfo: unknown }> => 'commitInfo' in a)!.commitInfo;
          assert.equal(info.operation, operationOf(op), `version ${v} is writer ${w}'s op ${index}`);
        } else if (kind === 'conflict') {
          const readSnap = (await DeltaTable.open(uri, { version: Number(arg) })).snapshot;
          const actions = new Map<number, Action[]>();
          for (let v = Number(arg) + 1; v <= table.version; v++) actions.set(v, await commitActions(uri, v));
          checkConflictJustified(new DeltaError('COMMIT_CONFLICT', rest.join(' ')), op, readSnap, (v) => actions.get(v)!, table.version);
          conflicts++;
        }
      }
    }
    const first = INITIAL.length - 1;
    assert.deepEqual([...byVersion.keys()].sort((a, b) => a - b), Array.from({ length: table.version - first }, (_, i) => first + 1 + i), 'every version after the setup was acknowledged by exactly one writer');
    const order = [...byVersion.entries()].sort((a, b) => a[0] - b[0]).map(([, op]) => op);
    const got = (await table.toArrow()).toArray().map((r) => `${r.part}:${Number(r.id)}`).sort();
    assert.deepEqual(got, serialModel(order));
    assert.ok(byVersion.size > writers, `commits: ${byVersion.size}, conflicts: ${conflicts}`);
  });
}
