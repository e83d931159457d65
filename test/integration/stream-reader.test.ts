import assert from 'node:assert/strict';
import { rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Int64, Utf8 } from 'apache-arrow';
import { DeltaTable, writeDeltaTable, type StreamBatch } from '../../src/index.js';
import { deltaError, idsOf, tableWithAppends } from '../support/streams.js';
import { batchOf, idBatch, tempDir } from '../support/temp.js';

type Batch = StreamBatch;


/** Every batch of a stream that ends once it has caught up. */
async function drain(uri: string, opts: Parameters<typeof DeltaTable.readStream>[1] = {}): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of DeltaTable.readStream(uri, { ...opts, availableNow: true })) out.push(b);
  return out;
}


describe('streaming source', () => {
  test('without a starting point it delivers the snapshot, then each new commit, with offsets that only move forward', async () => {
    const uri = await tableWithAppends([[1, 2], [3], [4, 5, 6]]);
    const ac = new AbortController();
    const seen: Batch[] = [];
    const reader = DeltaTable.readStream(uri, { signal: ac.signal, pollIntervalMs: 50 });
    for await (const b of reader) {
      seen.push(b);
      if (seen.length === 1) {
        assert.deepEqual(idsOf(b).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6]);
        assert.equal(b.endOffset.isStartingVersion, false);
        assert.deepEqual([b.endOffset.reservoirVersion, b.endOffset.index], [3, -1]);
        await writeDeltaTable(uri, idBatch([7, 8]), { mode: 'append' });
      } else if (seen.length === 2) {
        assert.deepEqual(idsOf(b), [7, 8]);
        assert.deepEqual([b.firstVersion, b.lastVersion], [3, 3]);
        await writeDeltaTable(uri, idBatch([9]), { mode: 'append' });
        await writeDeltaTable(uri, idBatch([10]), { mode: 'append' });
      } else {
        const all = seen.slice(2).flatMap(idsOf);
        if (all.length === 2) {
          assert.deepEqual(all, [9, 10]);
          ac.abort();
        }
      }
    }
    assert.deepEqual(seen.map((b) => b.batchId), seen.map((_, i) => i));
    for (let i = 1; i < seen.length; i++) assert.deepEqual(seen[i]!.startOffset, seen[i - 1]!.endOffset);
    const table = await DeltaTable.open(uri);
    assert.ok(seen.every((b) => b.endOffset.reservoirId === table.metadata.id));
  });

  test('the initial snapshot is ordered by modification time and split by maxFilesPerTrigger', async () => {
    const uri = await tableWithAppends([[1], [2], [3], [4], [5]]);
    const batches = await drain(uri, { maxFilesPerTrigger: 2 });
    assert.deepEqual(batches.map((b) => b.numFiles), [2, 2, 1]);
    assert.deepEqual(batches.map((b) => [b.endOffset.reservoirVersion, b.endOffset.index, b.endOffset.isStartingVersion]),
      [[4, 1, true], [4, 3, true], [5, -1, false]]);
    assert.deepEqual(batches.flatMap(idsOf), [1, 2, 3, 4, 5]);
  });

  test('maxFilesPerTrigger bounds batches of commits, splitting inside a commit', async () => {
    const uri = await tableWithAppends([[0]]);
    // One commit with three files: a small target file size splits the data.
    await writeDeltaTable(uri, [idBatch([1]), idBatch([2]), idBatch([3])], { mode: 'append', targetFileSizeBytes: 1 });
    await writeDeltaTable(uri, idBatch([4]), { mode: 'append' });
    const batches = await drain(uri, { startingVersion: 1, maxFilesPerTrigger: 2 });
    assert.deepEqual(batches.map((b) => b.numFiles), [2, 2]);
    assert.deepEqual(batches.flatMap(idsOf), [1, 2, 3, 4]);
    // The first batch ends inside version 1 (its files 0 and 1); the second takes file 2 and version 2.
    assert.deepEqual(batches.map((b) => [b.endOffset.reservoirVersion, b.endOffset.index]), [[1, 1], [3, -1]]);
    assert.deepEqual(batches.map((b) => [b.firstVersion, b.lastVersion]), [[1, 1], [1, 2]]);
  });

  test('maxFilesPerTrigger defaults to 1000 files per batch', async () => {
    const uri = await tableWithAppends([]);
    await writeDeltaTable(uri, Array.from({ length: 1001 }, (_, i) => idBatch([i])), { mode: 'append', targetFileSizeBytes: 1 });
    const batches = await drain(uri, { startingVersion: 0 });
    assert.deepEqual(batches.map((b) => b.numFiles), [1000, 1]);
    assert.equal(batches.reduce((n, b) => n + b.data.numRows, 0), 1001);
  });

  test('maxBytesPerTrigger is soft: a batch takes files while below it, at least one', async () => {
    const uri = await tableWithAppends([[1], [2], [3]]);
    const batches = await drain(uri, { startingVersion: 0, maxBytesPerTrigger: 1 });
    assert.deepEqual(batches.map((b) => b.numFiles), [1, 1, 1]);
  });

  test("startingVersion reads changes from that version; 'latest' only later commits; startingTimestamp the first commit at or after it", async () => {
    const uri = await tableWithAppends([[1], [2], [3]]);
    assert.deepEqual((await drain(uri, { startingVersion: 1 })).flatMap(idsOf), [2, 3]);
    assert.deepEqual((await drain(uri, { startingVersion: 'latest' })).flatMap(idsOf), []);
    const log = path.join(uri, '_delta_log');
    const base = Date.UTC(2026, 0, 1);
    for (let v = 0; v < 3; v++) await utimes(path.join(log, `${String(v).padStart(20, '0')}.json`), new Date(base + v * 60_000), new Date(base + v * 60_000));
    assert.deepEqual((await drain(uri, { startingTimestamp: new Date(base + 30_000) })).flatMap(idsOf), [2, 3]);
    assert.deepEqual((await drain(uri, { startingTimestamp: new Date(base + 60_000).toISOString() })).flatMap(idsOf), [2, 3]);
    await assert.rejects(drain(uri, { startingVersion: 9 }), deltaError('INVALID_ARGUMENT', /startingVersion 9 is after/));
  });

  test('a commit that rewrites data fails the stream naming its version, after the rows before it; skipChangeCommits skips it', async () => {
    const uri = await tableWithAppends([[1], [2]]);
    await writeDeltaTable(uri, idBatch([100]), { mode: 'overwrite' }); // version 2
    await writeDeltaTable(uri, idBatch([3]), { mode: 'append' });
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const b of DeltaTable.readStream(uri, { startingVersion: 0, availableNow: true })) got.push(...idsOf(b));
    }, deltaError('UNSUPPORTED_FEATURE', /version 2 rewrites existing data/));
    assert.deepEqual(got, [1, 2]);
    assert.deepEqual((await drain(uri, { startingVersion: 0, skipChangeCommits: true })).flatMap(idsOf), [1, 2, 3]);
    await assert.rejects(drain(uri, { startingVersion: 0, ignoreDeletes: true }), /version 2 rewrites/);
  });

  test('a pure delete fails the stream unless ignoreDeletes', async () => {
    const uri = await tableWithAppends([[1], [2]]);
    const empty = batchOf({ id: { type: new Int64(), values: [] }, label: { type: new Utf8(), values: [] } });
    await writeDeltaTable(uri, empty, { mode: 'overwrite', predicate: [['id', '=', 1]] }); // version 2: remove only
    await writeDeltaTable(uri, idBatch([3]), { mode: 'append' });
    await assert.rejects(drain(uri, { startingVersion: 0 }), deltaError('UNSUPPORTED_FEATURE', /version 2 deletes data/));
    assert.deepEqual((await drain(uri, { startingVersion: 0, ignoreDeletes: true })).flatMap(idsOf), [1, 2, 3]);
  });

  test('a schema change stops the stream; a restart reads with the new schema', async () => {
    const uri = await tableWithAppends([[1]]);
    const wider = batchOf({ id: { type: new Int64(), values: [2n] }, label: { type: new Utf8(), values: ['y'] }, extra: { type: new Utf8(), values: ['e'] } });
    const cp = path.join(await tempDir(), 'cp');
    const first = DeltaTable.readStream(uri, { checkpointLocation: cp, availableNow: true });
    for await (const b of first) await first.commit(b);
    await writeDeltaTable(uri, wider, { mode: 'append', schemaMode: 'merge' }); // version 1
    const again = await drain(uri, { checkpointLocation: cp });
    assert.deepEqual(again.flatMap(idsOf), [2]);
    assert.deepEqual(again[0]!.data.schema.fields.map((f) => f.name), ['id', 'label', 'extra']);
  });

  test('a schema change while streaming fails with SCHEMA_MISMATCH naming the version', async () => {
    const uri = await tableWithAppends([[1]]);
    const wider = batchOf({ id: { type: new Int64(), values: [2n] }, label: { type: new Utf8(), values: ['y'] }, extra: { type: new Utf8(), values: ['e'] } });
    await assert.rejects(async () => {
      for await (const b of DeltaTable.readStream(uri, { pollIntervalMs: 20 })) {
        if (b.batchId === 0) await writeDeltaTable(uri, wider, { mode: 'append', schemaMode: 'merge' });
      }
    }, deltaError('SCHEMA_MISMATCH', /schema changed at version 1 .*column "extra" was added/));
  });

  test('reading from version 0 of an evolved table works: older schemas are subsets of the current one', async () => {
    const uri = await tableWithAppends([[1]]);
    const wider = batchOf({ id: { type: new Int64(), values: [2n] }, label: { type: new Utf8(), values: ['y'] }, extra: { type: new Utf8(), values: ['e'] } });
    await writeDeltaTable(uri, wider, { mode: 'append', schemaMode: 'merge' });
    const batches = await drain(uri, { startingVersion: 0 });
    assert.deepEqual(batches.flatMap(idsOf), [1, 2]);
    assert.deepEqual(batches.flatMap((b) => [...b.data.getChild('extra')!]), [null, 'e']);
  });

  test('a table replaced under the stream fails clearly', async () => {
    const uri = await tableWithAppends([[1]]);
    const cp = path.join(await tempDir(), 'cp');
    const r = DeltaTable.readStream(uri, { checkpointLocation: cp, availableNow: true });
    for await (const b of r) await r.commit(b);
    await rm(uri, { recursive: true });
    await writeDeltaTable(uri, idBatch([1]), { mode: 'append' });
    await assert.rejects(drain(uri, { checkpointLocation: cp }), deltaError('INVALID_ARGUMENT', /was replaced/));
  });

  test('commits removed by log cleanup before the stream read them fail with VERSION_NOT_FOUND', async () => {
    const uri = await tableWithAppends([[1], [2], [3]]);
    const cp = path.join(await tempDir(), 'cp');
    const r = DeltaTable.readStream(uri, { checkpointLocation: cp, startingVersion: 0, maxFilesPerTrigger: 1, availableNow: true });
    for await (const b of r) {
      await r.commit(b);
      break;
    }
    await (await DeltaTable.open(uri)).checkpoint();
    await rm(path.join(uri, '_delta_log', `${'1'.padStart(20, '0')}.json`));
    await assert.rejects(drain(uri, { checkpointLocation: cp }), deltaError('VERSION_NOT_FOUND', /needs version 1 .* earliest commit left is 0/));
  });

  test('the change feed streams the snapshot as inserts, or from startingVersion every insert and delete with its version', async () => {
    const uri = path.join(await tempDir(), 't');
    await writeDeltaTable(uri, idBatch([1, 2]), { properties: { 'delta.enableChangeDataFeed': 'true' } });
    await writeDeltaTable(uri, idBatch([3]), { mode: 'append' });
    await writeDeltaTable(uri, idBatch([9]), { mode: 'overwrite' });
    const rows = (await drain(uri, { readChangeFeed: true }))
      .flatMap((b) => b.data.toArray().map((r) => `${r._change_type}:${Number(r.id)}@${Number(r._commit_version)}`));
    // Without a starting point the change feed starts with the snapshot, as inserts at its version.
    assert.deepEqual(rows, ['insert:9@2']);
    const fromZero = (await drain(uri, { readChangeFeed: true, startingVersion: 0 })).flatMap((b) => b.data.toArray().map((r) => `${r._change_type}:${Number(r.id)}@${Number(r._commit_version)}`));
    assert.deepEqual(fromZero.sort(), ['delete:1@2', 'delete:2@2', 'delete:3@2', 'insert:1@0', 'insert:2@0', 'insert:3@1', 'insert:9@2'].sort());
  });

  test('a change-feed stream from a version without the change data feed fails naming the versions; from the version that enabled it, it streams', async () => {
    const uri = await tableWithAppends([[1], [2]]);
    await writeDeltaTable(uri, idBatch([3]), { mode: 'append', properties: { 'delta.enableChangeDataFeed': 'true' } });
    await assert.rejects(drain(uri, { readChangeFeed: true, startingVersion: 0 }), deltaError('INVALID_ARGUMENT', /no change data for versions? 0(\.\.1)? of the requested range 0\.\.\d/));
    const rows = (await drain(uri, { readChangeFeed: true, startingVersion: 2 })).flatMap((b) => b.data.toArray().map((r) => `${r._change_type}:${Number(r.id)}@${Number(r._commit_version)}`));
    assert.deepEqual(rows, ['insert:3@2']);
  });

  test('an AbortSignal ends an idle stream promptly', async () => {
    const uri = await tableWithAppends([[1]]);
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 100);
    let n = 0;
    for await (const _ of DeltaTable.readStream(uri, { signal: ac.signal, pollIntervalMs: 60_000 })) n++;
    assert.equal(n, 1);
    assert.ok(Date.now() - started < 5_000);
  });

  test('bad options are INVALID_ARGUMENT', () => {
    assert.throws(() => DeltaTable.readStream('/tmp/x', { maxFilesPerTrigger: 0 }), deltaError('INVALID_ARGUMENT', /maxFilesPerTrigger/));
    assert.throws(() => DeltaTable.readStream('/tmp/x', { startingVersion: -1 }), deltaError('INVALID_ARGUMENT', /startingVersion/));
    assert.throws(() => DeltaTable.readStream('/tmp/x', { startingVersion: 1, startingTimestamp: new Date() }), /either/);
  });
});
