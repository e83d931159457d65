import assert from 'node:assert/strict';
import { readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { startWorker } from '../support/processes.js';
import { tableIds } from '../support/read.js';
import { idBatch, tempDir } from '../support/temp.js';

const HOUR = 3_600_000;

type Op =
  | { kind: 'append'; rows: number; gapHours: number }
  | { kind: 'overwrite'; rows: number; gapHours: number }
  | { kind: 'optimize'; zOrder: boolean; gapHours: number }
  | { kind: 'vacuum'; retentionHours: number; gapHours: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), rows: fc.integer({ min: 1, max: 3 }), gapHours: fc.integer({ min: 0, max: 48 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), rows: fc.integer({ min: 1, max: 3 }), gapHours: fc.integer({ min: 0, max: 48 }) }),
  fc.record({ kind: fc.constant('optimize' as const), zOrder: fc.boolean(), gapHours: fc.integer({ min: 0, max: 48 }) }),
  fc.record({ kind: fc.constant('vacuum' as const), retentionHours: fc.integer({ min: 0, max: 200 }), gapHours: fc.integer({ min: 0, max: 48 }) }),
);

test('over random histories of append, overwrite, optimize and vacuum, every version inside retention reads the rows it had', { timeout: 600_000 }, async () => {
  let optimized = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 7 }), async (ops) => {
      const uri = await tempDir('dlts-optprop-');
      let clock = Date.UTC(2026, 0, 1);
      const now = (): number => clock;
      const times: number[] = [];
      const rowsAt: number[][] = [];
      let model: number[] = [0];
      let nextId = 1;
      let seen = -1;
      // Records each new version's time and rows; data files get the commit's time as mtime (vacuum judges age by it).
      const record = async (): Promise<void> => {
        const latest = (await DeltaTable.open(uri)).version;
        for (let v = seen + 1; v <= latest; v++) {
          const t = await DeltaTable.open(uri, { version: v });
          const prev = v > 0 ? new Set((await (await DeltaTable.open(uri, { version: v - 1 })).files()).map((f) => f.path)) : new Set<string>();
          for (const f of await t.files()) if (!prev.has(f.path)) await utimes(path.join(uri, f.path), clock / 1000, clock / 1000);
          times[v] = clock;
          rowsAt[v] = await tableIds(uri, v);
        }
        seen = latest;
      };
      const cutoffs: Array<{ cutoff: number; latest: number }> = [];
      await writeDeltaTable(uri, idBatch([0]), { now });
      await record();
      for (const op of ops) {
        clock += op.gapHours * HOUR;
        const ids = 'rows' in op ? Array.from({ length: op.rows }, () => nextId++) : [];
        if (op.kind === 'append') {
          await writeDeltaTable(uri, idBatch(ids), { mode: 'append', now });
          model = [...model, ...ids];
        } else if (op.kind === 'overwrite') {
          await writeDeltaTable(uri, idBatch(ids), { mode: 'overwrite', now });
          model = ids;
        } else if (op.kind === 'optimize') {
          const r = await (await DeltaTable.open(uri)).optimize({ now, ...(op.zOrder ? { zOrderBy: ['id'] } : {}) });
          if (r.numFilesRemoved > 0) optimized++;
        } else {
          cutoffs.push({ cutoff: clock - op.retentionHours * HOUR, latest: seen });
          await (await DeltaTable.open(uri)).vacuum({ retentionHours: op.retentionHours, enforceRetention: false, dryRun: false, now });
        }
        await record();
        assert.deepEqual(await tableIds(uri), [...model].sort((a, b) => a - b), `latest rows after ${op.kind}`);
      }
      for (let v = 0; v <= seen; v++) {
        // A version stays readable unless a vacuum ran when a newer version replaced it before that vacuum's cutoff.
        const expired = cutoffs.some((c) => v < c.latest && times[v + 1]! <= c.cutoff);
        if (!expired) assert.deepEqual(await tableIds(uri, v), rowsAt[v], `version ${v} inside retention`);
      }
    }),
    { numRuns: 25, seed: 20261202, verbose: true },
  );
  assert.ok(optimized > 0, 'some histories compacted files');
});

async function commitVersions(uri: string): Promise<number[]> {
  return (await readdir(path.join(uri, '_delta_log'))).filter((f) => /^\d{20}\.json$/.test(f)).map((f) => Number(f.slice(0, 20))).sort((a, b) => a - b);
}

test('compaction beside 2 appending OS processes: every append and every optimize commits, no row lost or doubled', { timeout: 600_000 }, async () => {
  const uri = await tempDir('dlts-optprocs-');
  await writeDeltaTable(uri, idBatch([-1]));
  const appends = 15;
  const runs = [0, 1].map((w) => startWorker('append-worker', [uri, String(w), String(appends)]));
  let running = true;
  const done = Promise.all(runs.map((r) => r.done)).finally(() => (running = false));
  let compactions = 0;
  while (running) {
    const r = await (await DeltaTable.open(uri)).optimize();
    if (r.numFilesRemoved > 0) compactions++;
    await new Promise((res) => setTimeout(res, 20));
  }
  const results = await done;
  results.forEach((r, w) => assert.equal(r.code, 0, `writer ${w} failed: ${r.stderr}`));
  if ((await (await DeltaTable.open(uri)).optimize()).numFilesRemoved > 0) compactions++;
  assert.ok(compactions > 0);
  const expected = [-1, ...[0, 1].flatMap((w) => Array.from({ length: appends }, (_, i) => w * 100_000 + i))].sort((a, b) => a - b);
  assert.deepEqual(await tableIds(uri), expected);
  const latest = (await DeltaTable.open(uri)).version;
  assert.deepEqual(await commitVersions(uri), Array.from({ length: latest + 1 }, (_, v) => v));
  assert.equal(latest, 2 * appends + compactions);
  assert.equal((await DeltaTable.open(uri)).snapshot.files.length, 1);
});

test('compaction beside a deleting and an appending OS process: each optimize commits or is COMMIT_CONFLICT, every delete and append lands, no row lost or doubled', { timeout: 600_000 }, async () => {
  const uri = await tempDir('dlts-optdel-');
  // 20 files of two rows each: ids 0..19 and 1000..1019; the deleter removes 0..9, one commit each.
  for (let i = 0; i < 20; i++) await writeDeltaTable(uri, idBatch([i, 1000 + i]), { mode: 'append' });
  const deletes = 10;
  const appends = 15;
  const deleter = startWorker('delete-worker', [uri, '0', String(deletes)]);
  const appender = startWorker('append-worker', [uri, '1', String(appends)]);
  let running = true;
  const done = Promise.all([deleter.done, appender.done]).finally(() => (running = false));
  let committed = 0;
  let conflicts = 0;
  let replans = 0;
  while (running) {
    let plans = 0;
    try {
      const r = await (await DeltaTable.open(uri)).optimize({ onProgress: (d) => void (d === 0 && plans++) });
      if (r.numFilesRemoved > 0) committed++;
    } catch (err) {
      // The only allowed failure: every plan lost to a delete of a file it read.
      assert.ok(err instanceof Error && (err as { code?: string }).code === 'COMMIT_CONFLICT', String(err));
      assert.match(err.message, /^optimize gave up after \d+ plans.*version \d+ \(DELETE\)/);
      conflicts++;
    }
    replans += Math.max(0, plans - 1);
  }
  const [del, app] = await done;
  assert.equal(del!.code, 0, `deleter failed: ${del!.stderr}`);
  assert.equal(app!.code, 0, `appender failed: ${app!.stderr}`);
  assert.equal(deleter.lines.filter((l) => l.startsWith('deleted ')).length, deletes);
  const expected = [
    ...Array.from({ length: 20 - deletes }, (_, i) => deletes + i),
    ...Array.from({ length: 20 }, (_, i) => 1000 + i),
    ...Array.from({ length: appends }, (_, i) => 100_000 + i),
  ].sort((a, b) => a - b);
  assert.deepEqual(await tableIds(uri), expected);
  const latest = (await DeltaTable.open(uri)).version;
  assert.deepEqual(await commitVersions(uri), Array.from({ length: latest + 1 }, (_, v) => v));
  assert.equal(latest, 19 + deletes + appends + committed);
  // Every version's rows: the optimize commits change none.
  const history = await (await DeltaTable.open(uri)).history();
  for (const h of history.filter((c) => c.operation === 'OPTIMIZE')) {
    assert.deepEqual(await tableIds(uri, h.version), await tableIds(uri, h.version - 1), `OPTIMIZE at version ${h.version} changed the rows`);
  }
  process.stdout.write(`# optimize beside deletes: ${committed} committed, ${conflicts} COMMIT_CONFLICT, ${replans} re-plans\n`);
});

test('a stream reading while an appending OS process and repeated optimizes commit delivers every row exactly once (no duplicate, no gap)', { timeout: 600_000 }, async () => {
  const uri = await tempDir('dlts-optstream-');
  await writeDeltaTable(uri, idBatch([-1]));
  const appends = 20;
  const appender = startWorker('append-worker', [uri, '2', String(appends)]);
  let running = true;
  const done = appender.done.finally(() => (running = false));
  const compacting = (async () => {
    let n = 0;
    while (running) {
      if ((await (await DeltaTable.open(uri)).optimize()).numFilesRemoved > 0) n++;
      await new Promise((res) => setTimeout(res, 10));
    }
    return n;
  })();
  const expected = [-1, ...Array.from({ length: appends }, (_, i) => 200_000 + i)];
  const ac = new AbortController();
  const seen: number[] = [];
  // The guard: once the appender is done, the stream has a few seconds to catch up before it is stopped.
  void done.then(() => setTimeout(() => ac.abort(), 10_000));
  for await (const b of DeltaTable.readStream(uri, { signal: ac.signal, pollIntervalMs: 20 })) {
    seen.push(...[...b.data.getChild('id')!].map(Number));
    if (seen.length >= expected.length && !running) ac.abort();
  }
  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  const compactions = await compacting;
  assert.ok(compactions > 0, 'some optimizes committed while the stream ran');
  assert.deepEqual([...seen].sort((a, b) => a - b), expected);
});
