import assert from 'node:assert/strict';
import { rename, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { cleanupExpiredLogs } from '../../src/ops/write/log-cleanup.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { idBatch, tempDir } from '../support/temp.js';
import { tableIds } from '../support/read.js';

const DAY = 86_400_000;


test('log cleanup keeps every version inside retention readable, with the same rows, for random histories, clocks and damaged checkpoints', { timeout: 300_000 }, async () => {
  let runsThatDeleted = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 14 }),                                    // commits after version 0
      fc.integer({ min: 1, max: 4 }),                                     // checkpoint interval
      fc.array(fc.integer({ min: -2 * DAY, max: 20 * DAY }), { minLength: 15, maxLength: 15 }), // clock steps (may go back)
      fc.integer({ min: 0, max: 120 }),                                   // now, in days after the first commit
      fc.array(fc.boolean(), { minLength: 15, maxLength: 15 }),           // overwrite instead of append
      fc.array(fc.constantFrom('none', 'none', 'incomplete-multipart', 'unreadable'), { minLength: 15, maxLength: 15 }), // per checkpoint
      async (commits, interval, steps, nowDays, overwrites, damage) => {
        const uri = await tempDir('dlts-cleanup-');
        // Expired cleanup off while building, so the test decides when it runs.
        const props = { 'delta.checkpointInterval': String(interval), 'delta.enableExpiredLogCleanup': 'false' };
        await writeDeltaTable(uri, idBatch([0]), { properties: props });
        for (let v = 1; v <= commits; v++) await writeDeltaTable(uri, idBatch([v]), { mode: overwrites[v]! ? 'overwrite' : 'append' });
        const t0 = Date.UTC(2026, 0, 1);
        const times: number[] = [];
        let t = t0;
        for (let v = 0; v <= commits; v++) {
          t += v === 0 ? 0 : steps[v]!;
          times.push(t);
          const f = path.join(uri, '_delta_log', `${String(v).padStart(20, '0')}.json`);
          await utimes(f, t / 1000, t / 1000);
        }
        // Damage some checkpoints after the fact: a multi-part checkpoint whose writer died after
        // part 1 of 2 (the classic one renamed into it), or a checkpoint whose bytes are garbage.
        // Readers pass over both; neither may become the cleanup cutoff.
        for (let v = 1; v <= commits; v++) {
          const classic = path.join(uri, '_delta_log', `${String(v).padStart(20, '0')}.checkpoint.parquet`);
          const exists = await stat(classic).then(() => true, () => false);
          if (!exists || damage[v] === 'none') continue;
          if (damage[v] === 'unreadable') await writeFile(classic, 'not a parquet file');
          else await rename(classic, path.join(uri, '_delta_log', `${String(v).padStart(20, '0')}.checkpoint.0000000001.0000000002.parquet`));
        }
        const before = await Promise.all(times.map((_, v) => tableIds(uri, v)));
        const now = t0 + nowDays * DAY;
        const cutoff = now - 30 * DAY;
        // Monotonized times, as time travel sees them.
        const mono: number[] = [];
        times.forEach((x, v) => mono.push(v === 0 ? x : Math.max(x, mono[v - 1]! + 1)));
        const result = await cleanupExpiredLogs(new LocalStore(uri), {}, { now: () => now });
        if (result.deleted.length > 0) runsThatDeleted++;
        for (let v = 0; v <= commits; v++) {
          if (mono[v]! > cutoff || v === commits) assert.deepEqual(await tableIds(uri, v), before[v], `version ${v} inside retention`);
        }
        assert.equal((await DeltaTable.open(uri)).version, commits);
      },
    ),
    { numRuns: 60 },
  );
  assert.ok(runsThatDeleted > 0, 'some histories were old enough for cleanup to delete files');
});
