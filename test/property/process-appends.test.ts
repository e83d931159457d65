import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { startWorker } from '../support/processes.js';
import { idBatch, tempDir } from '../support/temp.js';
import { tableIds } from '../support/read.js';


async function commitVersions(uri: string): Promise<number[]> {
  return (await readdir(path.join(uri, '_delta_log'))).filter((f) => /^\d{20}\.json$/.test(f)).map((f) => Number(f.slice(0, 20))).sort((a, b) => a - b);
}

test('8 OS processes x 25 appends on one local table: versions 0..200, every row exactly once', { timeout: 600_000 }, async () => {
  const uri = await tempDir('dlts-procs-');
  await writeDeltaTable(uri, idBatch([-1]));
  const writers = 8;
  const appends = 25;
  const runs = Array.from({ length: writers }, (_, w) => startWorker('append-worker', [uri, String(w), String(appends)]));
  const results = await Promise.all(runs.map((r) => r.done));
  results.forEach((r, w) => assert.equal(r.code, 0, `writer ${w} failed: ${r.stderr}`));
  assert.deepEqual(await commitVersions(uri), Array.from({ length: writers * appends + 1 }, (_, v) => v));
  const expected = [-1, ...Array.from({ length: writers }, (_, w) => Array.from({ length: appends }, (_, i) => w * 100_000 + i)).flat()].sort((a, b) => a - b);
  assert.deepEqual(await tableIds(uri), expected);
  // Each acknowledged version is unique: no two writers believe they committed the same version.
  const acked = runs.flatMap((r) => r.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.split(' ')[2])));
  assert.equal(new Set(acked).size, writers * appends);
  assert.equal((await DeltaTable.open(uri)).version, writers * appends);
});

test('a writer killed with SIGKILL at a random moment never loses an acknowledged append and leaves the table readable', { timeout: 600_000 }, async () => {
  let runsDone = 0;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 3 }), async (killAfterMs, writers) => {
      const uri = await tempDir('dlts-crash-');
      await writeDeltaTable(uri, idBatch([-1]));
      const runs = Array.from({ length: writers }, (_, w) => startWorker('append-worker', [uri, String(w), '1000']));
      await new Promise((r) => setTimeout(r, killAfterMs));
      for (const r of runs) r.child.kill('SIGKILL');
      await Promise.all(runs.map((r) => r.done));
      const table = await DeltaTable.open(uri); // must open at its last complete version
      const ids = await tableIds(uri);
      assert.equal(new Set(ids).size, ids.length, 'no row twice');
      for (const r of runs) {
        for (const line of r.lines.filter((l) => l.startsWith('ack '))) {
          const id = Number(line.split(' ')[1]);
          assert.ok(ids.includes(id), `acknowledged id ${id} is in the table`);
        }
      }
      assert.deepEqual(await commitVersions(uri), Array.from({ length: table.version + 1 }, (_, v) => v));
      runsDone++;
    }),
    { numRuns: 12 },
  );
  assert.equal(runsDone, 12);
});
