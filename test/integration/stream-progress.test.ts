import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DeltaError, DeltaTable, writeDeltaTable, type StreamBatch } from '../../src/index.js';
import { idsOf } from '../support/streams.js';
import { idBatch, tempDir } from '../support/temp.js';


async function setup(appends: number[][]): Promise<{ uri: string; cp: string }> {
  const dir = await tempDir('dlts-progress-');
  const uri = path.join(dir, 't');
  for (const ids of appends) await writeDeltaTable(uri, idBatch(ids), { mode: 'append' });
  return { uri, cp: path.join(dir, 'checkpoint') };
}

/** Runs a reader to the end of what exists; commits the first `commitCount` batches (all when undefined). */
async function run(uri: string, cp: string, commitCount?: number, maxFilesPerTrigger = 1): Promise<StreamBatch[]> {
  const reader = DeltaTable.readStream(uri, { checkpointLocation: cp, maxFilesPerTrigger, availableNow: true });
  const out: StreamBatch[] = [];
  for await (const b of reader) {
    out.push(b);
    if (commitCount === undefined || out.length <= commitCount) await reader.commit(b);
  }
  return out;
}

describe('stream progress at a checkpoint location', () => {
  test('a restarted reader resumes right after the last committed batch, with the next batch id', async () => {
    const { uri, cp } = await setup([[1], [2], [3]]);
    const first = await run(uri, cp, undefined);
    assert.deepEqual(first.flatMap(idsOf), [1, 2, 3]);
    await writeDeltaTable(uri, idBatch([4]), { mode: 'append' });
    await writeDeltaTable(uri, idBatch([5]), { mode: 'append' });
    const second = await run(uri, cp);
    assert.deepEqual(second.flatMap(idsOf), [4, 5]);
    assert.deepEqual(second.map((b) => b.batchId), [3, 4]);
    assert.deepEqual(second[0]!.startOffset, first.at(-1)!.endOffset);
    assert.deepEqual(await run(uri, cp), []);
  });

  test('batches delivered but not committed are delivered again with the same ids and ranges', async () => {
    const { uri, cp } = await setup([[1], [2], [3], [4]]);
    const first = await run(uri, cp, 1); // batch 0 committed; 1..3 delivered, not committed
    assert.equal(first.length, 4);
    await writeDeltaTable(uri, idBatch([5]), { mode: 'append' });
    // A different limit now must not change what the recorded batches hold.
    const again = await run(uri, cp, undefined, 1000);
    assert.deepEqual(again.map((b) => b.batchId), [1, 2, 3, 4]);
    assert.deepEqual(again.slice(0, 3).map((b) => [b.startOffset, b.endOffset]), first.slice(1).map((b) => [b.startOffset, b.endOffset]));
    assert.deepEqual(again.slice(0, 3).map(idsOf), first.slice(1).map(idsOf));
    assert.deepEqual(idsOf(again[3]!), [5]);
  });

  test('the initial snapshot resumes mid-way at the same snapshot version, even after new commits', async () => {
    const { uri, cp } = await setup([[1], [2], [3]]);
    const reader = DeltaTable.readStream(uri, { checkpointLocation: cp, maxFilesPerTrigger: 1 });
    for await (const b of reader) {
      await reader.commit(b);
      break; // stop after the first file of the snapshot of version 2
    }
    await writeDeltaTable(uri, idBatch([4]), { mode: 'append' });
    const rest = await run(uri, cp);
    assert.deepEqual(rest.flatMap(idsOf), [2, 3, 4]);
    assert.deepEqual(rest.map((b) => b.endOffset.isStartingVersion), [true, false, false]);
  });

  test('offsets are stored in Spark\'s JSON shape', async () => {
    const { uri, cp } = await setup([[1]]);
    await run(uri, cp);
    const entry = JSON.parse(await readFile(path.join(cp, 'commits', '0'), 'utf8'));
    const table = await DeltaTable.open(uri);
    assert.deepEqual(entry.endOffset, { sourceVersion: 1, reservoirId: table.metadata.id, reservoirVersion: 1, index: -1, isStartingVersion: false });
    assert.deepEqual((await readdir(path.join(cp, 'offsets'))).sort(), ['0']);
  });

  test('a second live reader on the same checkpoint location fails with COMMIT_CONFLICT', async () => {
    const { uri, cp } = await setup([[1]]);
    const ac = new AbortController();
    const a = DeltaTable.readStream(uri, { checkpointLocation: cp, signal: ac.signal, pollIntervalMs: 20 });
    const it = a[Symbol.asyncIterator]();
    await it.next(); // a holds the location now
    await assert.rejects(run(uri, cp), (e: unknown) => {
      assert.ok(e instanceof DeltaError);
      assert.equal(e.code, 'COMMIT_CONFLICT');
      assert.match(e.message, new RegExp(`in use by another live stream reader \\(pid ${process.pid}`));
      return true;
    });
    ac.abort();
    await it.next();
    assert.equal((await run(uri, cp)).length, 1, 'the location is free again once the first reader ended');
  });

  test('the lock of a killed reader is taken over at once', async () => {
    const { uri, cp } = await setup([[1]]);
    const script = path.join(path.dirname(cp), 'hold.mjs');
    const lockModule = new URL('../../src/stream/location-lock.js', import.meta.url).href;
    await writeFile(script, `import { LocationLock } from '${lockModule}';\nawait LocationLock.acquire(${JSON.stringify(cp)});\nconsole.log('locked');\nsetInterval(() => {}, 1000);\n`);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await assert.rejects(run(uri, cp), /in use by another live stream reader/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const started = Date.now();
    assert.deepEqual((await run(uri, cp)).flatMap(idsOf), [1]);
    assert.ok(Date.now() - started < 5_000, 'no stale-lock timeout after a crash');
  });

  test('commit() of a batch this reader did not deliver is INVALID_ARGUMENT', async () => {
    const { uri, cp } = await setup([[1]]);
    const reader = DeltaTable.readStream(uri, { checkpointLocation: cp, availableNow: true });
    for await (const _ of reader) { /* drain */ }
    await assert.rejects(reader.commit({ batchId: 7 }), (e: unknown) => e instanceof DeltaError && e.code === 'INVALID_ARGUMENT');
  });

  test('a checkpoint location on S3 is refused with a hint', async () => {
    const { uri } = await setup([[1]]);
    await assert.rejects(run(uri, 's3://bucket/cp'), (e: unknown) => e instanceof DeltaError && e.code === 'UNSUPPORTED_FEATURE' && /local directory/.test(e.message));
  });
});
