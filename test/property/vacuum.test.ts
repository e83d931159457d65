import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { idBatch, tempDir } from '../support/temp.js';
import { tableIds } from '../support/read.js';

const HOUR = 3_600_000;


test('vacuum never deletes a file a version inside retention needs, and every such version still reads exactly', { timeout: 300_000 }, async () => {
  let runsThatDeleted = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ overwrite: fc.boolean(), gapHours: fc.integer({ min: 0, max: 120 }) }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 5 }),        // checkpoint interval
      fc.integer({ min: 0, max: 40 * 24 }),  // now, hours after the last write
      fc.integer({ min: 0, max: 400 }),      // retention hours (enforceRetention off: short ones too)
      async (writes, interval, nowAfterHours, retentionHours) => {
        const uri = await tempDir('dlts-vac-');
        let clock = Date.UTC(2026, 0, 1);
        const times: number[] = [];
        const stamp = async (version: number): Promise<void> => {
          // Data files get the write's time as mtime: vacuum judges age by modification time.
          const t = await DeltaTable.open(uri, { version });
          const prev = version > 0 ? new Set((await (await DeltaTable.open(uri, { version: version - 1 })).files()).map((f) => f.path)) : new Set<string>();
          for (const f of await t.files()) if (!prev.has(f.path)) await utimes(path.join(uri, f.path), clock / 1000, clock / 1000);
          times.push(clock);
        };
        await writeDeltaTable(uri, idBatch([0]), { properties: { 'delta.checkpointInterval': String(interval) }, now: () => clock });
        await stamp(0);
        for (const [i, w] of writes.entries()) {
          clock += w.gapHours * HOUR;
          await writeDeltaTable(uri, idBatch([i + 1]), { mode: w.overwrite ? 'overwrite' : 'append', now: () => clock });
          await stamp(i + 1);
        }
        // An orphan from a failed write, as old as the table.
        await writeFile(path.join(uri, 'part-orphan.parquet'), 'junk');
        await utimes(path.join(uri, 'part-orphan.parquet'), times[0]! / 1000, times[0]! / 1000);
        const latest = writes.length;
        const before = await Promise.all(times.map((_, v) => tableIds(uri, v)));
        const now = clock + nowAfterHours * HOUR;
        const cutoff = now - retentionHours * HOUR;
        const result = await (await DeltaTable.open(uri)).vacuum({ retentionHours, enforceRetention: false, dryRun: false, now: () => now });
        if (result.files.length > 0) runsThatDeleted++;
        for (let v = 0; v <= latest; v++) {
          const insideRetention = v === latest || times[v + 1]! > cutoff;
          if (insideRetention) assert.deepEqual(await tableIds(uri, v), before[v], `version ${v} inside retention`);
        }
        assert.equal(result.files.includes('part-orphan.parquet'), times[0]! < cutoff, 'an old orphan is deleted, a recent one kept');
        assert.ok(result.files.every((f) => !f.startsWith('_delta_log/')));
      },
    ),
    { numRuns: 30 },
  );
  assert.ok(runsThatDeleted > 0);
});

test('vacuum is a dry run by default, refuses short retention, and records VACUUM START/END when it deletes', async () => {
  const uri = await tempDir('dlts-vac2-');
  await writeDeltaTable(uri, idBatch([1]));
  await writeDeltaTable(uri, idBatch([2]), { mode: 'overwrite' });
  const table = await DeltaTable.open(uri);
  await assert.rejects(table.vacuum({ retentionHours: 1 }), (e: unknown) => e instanceof DeltaError && e.code === 'INVALID_ARGUMENT' && /168/.test(e.message));
  const later = () => Date.now() + 200 * HOUR;
  const plan = await table.vacuum({ now: later });
  assert.equal(plan.dryRun, true);
  assert.equal(plan.files.length, 1);
  assert.equal((await DeltaTable.open(uri)).version, 1, 'a dry run commits nothing');
  const done = await table.vacuum({ dryRun: false, now: later });
  assert.deepEqual(done.files, plan.files);
  const ops = (await (await DeltaTable.open(uri)).history()).map((h) => h.operation);
  assert.deepEqual(ops.slice(0, 2), ['VACUUM END', 'VACUUM START']);
  assert.deepEqual(await tableIds(uri, 3), [2]);
});
