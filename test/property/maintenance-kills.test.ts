import assert from 'node:assert/strict';
import { readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { startWorker, type WorkerRun } from '../support/processes.js';
import { idBatch, tempDir } from '../support/temp.js';

type Op = 'checkpoint' | 'cleanup' | 'vacuum' | 'restore';
const HOUR = 3_600_000;

async function commitVersions(uri: string): Promise<number[]> {
  return (await readdir(path.join(uri, '_delta_log'))).filter((f) => /^\d{20}\.json$/.test(f)).map((f) => Number(f.slice(0, 20))).sort((a, b) => a - b);
}

async function idsAt(uri: string, version?: number): Promise<number[]> {
  const table = await DeltaTable.open(uri, version === undefined ? {} : { version });
  const data = await table.toArrow({ columns: ['id'] });
  return [...data.getChild('id')!].map(Number).sort((a, b) => a - b);
}

/** Twelve commits two hours old: appends, an overwrite (files for vacuum) and appends again. */
async function agedTable(): Promise<string> {
  const uri = await tempDir('dlts-maint-');
  const then = () => Date.now() - 2 * HOUR;
  await writeDeltaTable(uri, idBatch([-1]), { now: then });
  for (let i = 1; i <= 5; i++) await writeDeltaTable(uri, idBatch([-10 - i]), { mode: 'append', now: then });
  await writeDeltaTable(uri, idBatch([-100]), { mode: 'overwrite', now: then });
  for (let i = 1; i <= 5; i++) await writeDeltaTable(uri, idBatch([-100 - i]), { mode: 'append', now: then });
  const old = new Date(Date.now() - 2 * HOUR);
  for (const name of await readdir(uri)) if (name.endsWith('.parquet')) await utimes(path.join(uri, name), old, old);
  return uri;
}

const acks = (run: WorkerRun, word: string): string[][] => run.lines.filter((l) => l.startsWith(word + ' ')).map((l) => l.split(' ').slice(1));

test('SIGKILL during checkpoint, log cleanup, vacuum or restore (beside an appender) never loses an acknowledged commit and the table always opens', { timeout: 600_000 }, async () => {
  const kills = { total: 0, opsDone: 0, byOp: {} as Record<string, number> };
  await fc.assert(
    fc.asyncProperty(fc.constantFrom<Op>('checkpoint', 'cleanup', 'vacuum', 'restore'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 120 }), async (op, afterOps, killAfterMs) => {
      const uri = await agedTable();
      // Restore conflicts with concurrent appends by design (it reads the whole table), so it runs alone.
      // The appender never runs out of appends: the kill ends it. (1,000 appends used to outlast
      // any wait; since appends stopped loading the file list, they can finish before the
      // maintenance worker's second or third vacuum, and the run then failed as "exited before the kill".)
      const appender = op === 'restore' ? undefined : startWorker('append-worker', [uri, '1', '1000000']);
      const maint = startWorker('maintenance-worker', [uri, op]);
      const runs = [maint, ...(appender ? [appender] : [])];
      // Kills follow the worker's progress (after `afterOps` completed operations, then up to
      // 120 ms), so they land inside operations rather than during process start-up.
      while (maint.lines.length < afterOps && maint.child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, killAfterMs));
      for (const r of runs) r.child.kill('SIGKILL');
      const results = await Promise.all(runs.map((r) => r.done));
      results.forEach((r) => assert.equal(r.signal, 'SIGKILL', `a worker exited before the kill: ${r.stderr}`));
      kills.total += runs.length;
      kills.opsDone += maint.lines.length;
      kills.byOp[op] = (kills.byOp[op] ?? 0) + 1;

      const table = await DeltaTable.open(uri); // opens at its last complete version
      const versions = await commitVersions(uri);
      assert.deepEqual(versions, Array.from({ length: table.version - versions[0]! + 1 }, (_, i) => versions[0]! + i), 'no gap in the log');
      const ids = await idsAt(uri); // every active file is there to read
      assert.equal(new Set(ids).size, ids.length, 'no row twice');
      for (const [id] of appender ? acks(appender, 'ack') : []) assert.ok(ids.includes(Number(id)), `acknowledged id ${id} is in the table`);
      if (op === 'restore') {
        for (const [target, version] of acks(maint, 'restore')) {
          assert.deepEqual(await idsAt(uri, Number(version)), await idsAt(uri, Number(target)), `restore of v${target} at v${version}`);
        }
      }
      if (op === 'cleanup' && acks(maint, 'cleanup').length > 0) {
        assert.ok(versions[0]! > 0, 'cleanup deleted expired commits');
      }
    }),
    { numRuns: 24, seed: Number(process.env.MAINTENANCE_KILLS_SEED ?? 20261201) },
  );
  console.log(`maintenance kills: ${kills.total} processes killed, ${kills.opsDone} operations completed before the kills, runs per operation ${JSON.stringify(kills.byOp)}`);
});
