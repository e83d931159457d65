import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { Field, Int64, Schema, Utf8 } from 'apache-arrow';
import { DeltaError, DeltaTable, type StreamWriteResult } from '../../src/index.js';
import { tableIds } from '../support/read.js';
import { idBatch, tempDir } from '../support/temp.js';

const uriIn = async (): Promise<string> => path.join(await tempDir('dlts-sink-'), 't');
const schema = new Schema([new Field('id', new Int64(), false), new Field('label', new Utf8(), true)]);

describe('streaming sink', () => {
  test('each batch id is written once per appId: a replayed batch is skipped', async () => {
    const uri = await uriIn();
    const sink = DeltaTable.writeStream(uri, { appId: 'ingest' });
    assert.equal(await sink.lastBatchId(), -1);
    const r0 = await sink.write(0, idBatch([1, 2]));
    const r1 = await sink.write(1, idBatch([3]));
    const replay = await sink.write(1, idBatch([3]));
    const older = await sink.write(0, idBatch([1, 2]));
    assert.deepEqual([r0.version, r0.skipped, r1.version, r1.skipped], [0, false, 1, false]);
    assert.deepEqual([replay.skipped, older.skipped, replay.version], [true, true, 1]);
    assert.deepEqual(await tableIds(uri), [1, 2, 3]);
    assert.equal(await sink.lastBatchId(), 1);
    const table = await DeltaTable.open(uri);
    assert.equal(table.appTransactionVersion('ingest'), 1);
    // Another appId has its own numbering.
    assert.equal((await DeltaTable.writeStream(uri, { appId: 'other' }).write(0, idBatch([4]))).skipped, false);
    assert.deepEqual(await tableIds(uri), [1, 2, 3, 4]);
  });

  test('a batch lands as one commit holding its data files and txn { appId, version: batchId }', async () => {
    const uri = await uriIn();
    const sink = DeltaTable.writeStream(uri, { appId: 'one-commit' });
    await sink.write(0, idBatch([1]));
    const { version } = await sink.write(7, [idBatch([2, 3]), idBatch([4])]);
    const actions = (await readFile(path.join(uri, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8'))
      .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    const txns = actions.filter((a) => a.txn).map((a) => a.txn!);
    assert.equal(txns.length, 1);
    assert.deepEqual([txns[0]!.appId, txns[0]!.version], ['one-commit', 7]);
    assert.ok(actions.some((a) => a.add?.dataChange === true), 'the data files are in the same commit');
    assert.equal(actions.find((a) => a.commitInfo)!.commitInfo!.operation, 'STREAMING UPDATE');
    assert.deepEqual(await tableIds(uri, version), [1, 2, 3, 4]);
    assert.deepEqual(await tableIds(uri, version - 1), [1], 'the version before holds none of the batch');
  });

  test("outputMode 'complete' replaces the table's rows with each batch", async () => {
    const uri = await uriIn();
    const sink = DeltaTable.writeStream(uri, { appId: 'agg', outputMode: 'complete' });
    await sink.write(0, idBatch([1, 2]));
    await sink.write(1, idBatch([3]));
    assert.deepEqual(await tableIds(uri), [3]);
    assert.equal((await sink.write(1, idBatch([9]))).skipped, true);
  });

  test('two live writers with one appId never both write a batch id (40 rounds of racing pairs)', async () => {
    const uri = await uriIn();
    await DeltaTable.writeStream(uri, { appId: 'seed' }).write(0, idBatch([0]));
    for (let round = 0; round < 40; round++) {
      const a = DeltaTable.writeStream(uri, { appId: 'dup' });
      const b = DeltaTable.writeStream(uri, { appId: 'dup' });
      const outcomes = await Promise.allSettled([a.write(round, idBatch([1000 + round])), b.write(round, idBatch([1000 + round]))]);
      const wrote = outcomes.filter((o) => o.status === 'fulfilled' && !(o.value as StreamWriteResult).skipped).length;
      assert.equal(wrote, 1, `round ${round}: ${JSON.stringify(outcomes.map((o) => o.status === 'fulfilled' ? o.value.skipped : (o.reason as DeltaError).code))}`);
      for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as DeltaError).code, 'COMMIT_CONFLICT');
    }
    assert.deepEqual(await tableIds(uri), [0, ...Array.from({ length: 40 }, (_, i) => 1000 + i)]);
  });

  test('a bad appId or batch id is INVALID_ARGUMENT', async () => {
    assert.throws(() => DeltaTable.writeStream('/tmp/x', { appId: '' }), (e: unknown) => e instanceof DeltaError && e.code === 'INVALID_ARGUMENT');
    await assert.rejects(DeltaTable.writeStream('/tmp/x', { appId: 'a' }).write(-1, idBatch([1])), /batchId must be a non-negative integer/);
  });

  test('the Writable adapter groups rows into micro-batches by count and resumes numbering after a restart', async () => {
    const uri = await uriIn();
    const rows = (from: number, n: number): Array<{ id: number; label: string }> => Array.from({ length: n }, (_, i) => ({ id: from + i, label: `r${from + i}` }));
    const results: StreamWriteResult[] = [];
    const w1 = DeltaTable.writeStream(uri, { appId: 'pipe' }).writable({ maxRows: 10, schema });
    w1.on('batch', (r: StreamWriteResult) => results.push(r));
    await pipeline(Readable.from(rows(0, 25)), w1);
    assert.deepEqual(results.map((r) => [r.batchId, r.rowsWritten]), [[0, 10], [1, 10], [2, 5]]);
    // A new producer (a restart) continues at batch 3 and takes the table's schema.
    const w2 = DeltaTable.writeStream(uri, { appId: 'pipe' }).writable({ maxRows: 100 });
    w2.on('batch', (r: StreamWriteResult) => results.push(r));
    await pipeline(Readable.from([...rows(25, 5), idBatch([30, 31])]), w2);
    assert.deepEqual(results.slice(3).map((r) => [r.batchId, r.rowsWritten]), [[3, 7]]);
    assert.deepEqual(await tableIds(uri), Array.from({ length: 32 }, (_, i) => i));
    assert.equal((await DeltaTable.open(uri)).appTransactionVersion('pipe'), 3);
  });

  test('the Writable adapter groups rows and RecordBatches into micro-batches by bytes', async () => {
    const uri = await uriIn();
    const w = DeltaTable.writeStream(uri, { appId: 'bytes' }).writable({ maxRows: 1_000_000, maxBytes: 4096, maxDelayMs: 3_600_000, schema });
    const results: StreamWriteResult[] = [];
    w.on('batch', (r: StreamWriteResult) => results.push(r));
    // Rows of ~1 KiB each (estimate 1012 bytes): the fifth row reaches the bound and closes the
    // micro-batch. Then RecordBatches of 600 ids (over 4 KiB of buffers): each closes one alone.
    const big = 'x'.repeat(1000);
    const rows = Array.from({ length: 10 }, (_, i) => ({ id: i, label: big }));
    const batches = [0, 1, 2].map((b) => idBatch(Array.from({ length: 600 }, (_, i) => 100 + b * 600 + i)));
    await pipeline(Readable.from([...rows, ...batches]), w);
    assert.deepEqual(results.map((r) => [r.batchId, r.rowsWritten]), [[0, 5], [1, 5], [2, 600], [3, 600], [4, 600]]);
    assert.equal((await tableIds(uri)).length, 10 + 1800);
  });

  test('the Writable adapter flushes by time when rows trickle in', async () => {
    const uri = await uriIn();
    const w = DeltaTable.writeStream(uri, { appId: 'slow' }).writable({ maxRows: 1000, maxDelayMs: 50, schema });
    const batches: number[] = [];
    w.on('batch', (r: StreamWriteResult) => batches.push(r.batchId));
    w.write({ id: 1, label: 'a' });
    // Far below maxRows and before end(): only the 50 ms timer can commit it (waited for by
    // event, not by a fixed sleep, so a busy machine does not fail the test).
    await new Promise((resolve) => w.once('batch', resolve));
    assert.deepEqual(batches, [0], 'the first row was committed by the timer');
    w.write({ id: 2, label: 'b' });
    await new Promise<void>((resolve, reject) => w.end((err?: Error | null) => (err ? reject(err) : resolve())));
    assert.deepEqual(batches, [0, 1]);
    assert.deepEqual(await tableIds(uri), [1, 2]);
  });

  test('the Writable adapter rejects values that are not rows or batches', async () => {
    const uri = await uriIn();
    const w = DeltaTable.writeStream(uri, { appId: 'x' }).writable({ schema });
    await assert.rejects(pipeline(Readable.from([42]), w), /takes row objects, RecordBatches or Tables, got number/);
  });
});
