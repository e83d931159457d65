import assert from 'node:assert/strict';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { backgroundJobsDone, backgroundWorkerRunning, crashBackgroundWorkerForTest, setBackgroundIdleMsForTest } from '../../src/ops/write/background-maintenance.js';
import { checkpointPath, lastCheckpointPath } from '../../src/protocol/log-paths.js';
import { startWorker } from '../support/processes.js';
import { tableIds } from '../support/read.js';
import { idBatch, tempDir } from '../support/temp.js';

// The stream sink writes its checkpoints on a worker thread (ops/write/background-maintenance.ts):
// write() returns once its batch has committed, flush() waits for the checkpoints.

const uriIn = async (): Promise<string> => path.join(await tempDir('dlts-bg-cp-'), 't');
const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

async function lastCheckpointVersion(uri: string): Promise<number> {
  return JSON.parse(await readFile(path.join(uri, lastCheckpointPath), 'utf8')).version;
}

test('the sink\'s checkpoints are written on the worker thread; after flush() they are on disk and the table opens from them', async () => {
  const uri = await uriIn();
  const sink = DeltaTable.writeStream(uri, { appId: 'bg' });
  const jobsBefore = backgroundJobsDone();
  for (let b = 0; b <= 25; b++) assert.equal((await sink.write(b, idBatch([b]))).version, b);
  await sink.flush();
  assert.ok(backgroundJobsDone() - jobsBefore >= 1, 'the worker ran the jobs');
  // v10 may be left out when v20 was queued behind it; the newest one is always written.
  assert.equal(await lastCheckpointVersion(uri), 20);
  assert.ok(await exists(path.join(uri, checkpointPath(20))));
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, 25);
  assert.equal(table.appTransactionVersion('bg'), 25);
  assert.deepEqual(await tableIds(uri), Array.from({ length: 26 }, (_, i) => i));
  // The checkpoint alone holds v20's table: time travel to it reads the 21 first batches.
  const at20 = await DeltaTable.open(uri, { version: 20 });
  assert.equal((await at20.files()).length, 21);
});

test('a checkpoint that fails on the worker thread is a DeltaCheckpointWarning on the caller\'s thread, and the batches stay committed', async () => {
  const uri = await uriIn();
  const sink = DeltaTable.writeStream(uri, { appId: 'bg-fail' });
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    await sink.write(0, idBatch([0]));
    // A folder where the checkpoint file goes: the put cannot replace it.
    await mkdir(path.join(uri, checkpointPath(10)), { recursive: true });
    for (let b = 1; b <= 12; b++) await sink.write(b, idBatch([b]));
    await sink.flush();
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^DeltaCheckpointWarning: checkpoint of version 10 failed \(the commit itself succeeded\)/);
  assert.equal(await exists(path.join(uri, lastCheckpointPath)), false);
  assert.deepEqual(await tableIds(uri), Array.from({ length: 13 }, (_, i) => i));
});

test('a writable() pipeline finishes only after the checkpoints its batches started', async () => {
  const uri = await uriIn();
  const sink = DeltaTable.writeStream(uri, { appId: 'bg-pipe' });
  await pipeline(Readable.from(Array.from({ length: 11 }, (_, i) => idBatch([i]))), sink.writable({ maxRows: 1 }));
  assert.equal(await lastCheckpointVersion(uri), 10);
  assert.deepEqual(await tableIds(uri), Array.from({ length: 11 }, (_, i) => i));
});

test('a process that ends without flush() still writes the checkpoint its batches were due', async () => {
  const uri = await uriIn();
  const run = startWorker('sink-worker', [uri, '11']);
  const { code, stderr } = await run.done;
  assert.equal(code, 0, stderr);
  assert.equal(run.lines.at(-1), 'wrote 10 10');
  assert.equal(await lastCheckpointVersion(uri), 10);
  assert.ok(await exists(path.join(uri, checkpointPath(10))));
});

test('when the worker dies mid-checkpoint, the writer\'s own thread writes the checkpoint instead', async () => {
  const uri = await uriIn();
  const sink = DeltaTable.writeStream(uri, { appId: 'bg-crash' });
  for (let b = 0; b <= 10; b++) await sink.write(b, idBatch([b]));
  await crashBackgroundWorkerForTest();
  await sink.flush();
  assert.equal(await lastCheckpointVersion(uri), 10);
  // The next checkpoint gets a new worker.
  const jobsBefore = backgroundJobsDone();
  for (let b = 11; b <= 20; b++) await sink.write(b, idBatch([b]));
  await sink.flush();
  assert.equal(await lastCheckpointVersion(uri), 20);
  assert.equal(backgroundJobsDone() - jobsBefore, 1);
});

test('an idle worker is ended, and the next checkpoint starts a new one (not counted as a failure)', async () => {
  const uri = await uriIn();
  const sink = DeltaTable.writeStream(uri, { appId: 'bg-idle' });
  await sink.write(0, idBatch([0]));
  setBackgroundIdleMsForTest(50);
  try {
    for (let round = 1; round <= 4; round++) {
      const jobsBefore = backgroundJobsDone();
      for (let b = (round - 1) * 10 + 1; b <= round * 10; b++) await sink.write(b, idBatch([b]));
      await sink.flush();
      assert.equal(backgroundJobsDone() - jobsBefore, 1, `round ${round} ran on a worker`);
      assert.equal(await lastCheckpointVersion(uri), round * 10);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(backgroundWorkerRunning(), false, 'ended once idle');
    }
  } finally {
    setBackgroundIdleMsForTest(60_000);
  }
});

test('writeDeltaTable still writes its checkpoint before it returns', async () => {
  const uri = await uriIn();
  for (let i = 0; i <= 10; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  assert.equal(await lastCheckpointVersion(uri), 10);
});
