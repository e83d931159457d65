import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Table } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { isDeltaError, storageFailure } from '../../src/errors.js';
import { writeToStore } from '../../src/ops/write/write.js';
import { loadTableState } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { idBatch, tempDir } from '../support/temp.js';

const ids = (t: Table): number[] => [...t.getChild('id')!].map(Number).sort((a, b) => a - b);

// A small append writes its data file and its commit's temp file at once, and publishes the
// commit only when both are durable (one fsync wait instead of two). These tests hold the
// ordering: nothing is published before the data is durable, and a data file that cannot be
// made durable fails the commit at once, leaving the table as it was.

test('putIfAbsentAfter publishes only once `after` resolves, and nothing (not even a temp file) when it rejects', async () => {
  const root = await tempDir('dlts-durable-');
  const store = new LocalStore(root);
  let release!: () => void;
  const after = new Promise<void>((r) => (release = r));
  const put = store.putIfAbsentAfter('_delta_log/00000000000000000000.json', new TextEncoder().encode('{}\n'), after);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(await store.head('_delta_log/00000000000000000000.json'), undefined, 'published before the data was durable');
  release();
  assert.equal(await put, 'created');
  assert.deepEqual(await readdir(path.join(root, '_delta_log')), ['00000000000000000000.json']);

  const failure = storageFailure('put', 'part-x.parquet', new Error('EIO: injected'));
  const failed = store.putIfAbsentAfter('_delta_log/00000000000000000001.json', new TextEncoder().encode('{}\n'), Promise.reject(failure));
  await assert.rejects(failed, (err) => err === failure);
  assert.deepEqual(await readdir(path.join(root, '_delta_log')), ['00000000000000000000.json'], 'the commit or its temp file was left behind');
});

test('a data file whose fsync fails fails the append at once (STORAGE_FAILURE, no retry), and the table stays at its last version', async () => {
  const uri = path.join(await tempDir('dlts-durable-'), 't');
  await writeDeltaTable(uri, idBatch([1, 2]));
  const local = new LocalStore(uri);
  let syncs = 0;
  // The real store, but the durability of the data files it writes fails, as an EIO from fsync would.
  const store: ObjectStore = Object.assign(Object.create(local) as LocalStore, {
    async putUnique(p: string, bytes: Uint8Array) {
      const { durable } = await local.putUnique(p, bytes);
      await durable;
      syncs++;
      const failed = Promise.reject(storageFailure('put', `${local.rootUri}/${p}`, new Error('EIO: input/output error (injected at fsync)')));
      failed.catch(() => undefined);
      return { durable: failed };
    },
  });
  const before = await loadTableState(local);
  const started = performance.now();
  await assert.rejects(writeToStore(store, before, idBatch([3]), { mode: 'append' }), (err) => {
    assert.ok(isDeltaError(err, 'STORAGE_FAILURE'), String(err));
    assert.match((err as Error).message, /part-.*\.parquet/);
    return true;
  });
  assert.ok(performance.now() - started < 2_000, 'the failed durability was retried');
  assert.equal(syncs, 1);
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, 0);
  assert.deepEqual(ids(await table.toArrow()), [1, 2]);
  assert.deepEqual(await readdir(path.join(uri, '_delta_log')), ['00000000000000000000.json']);
});

test('appends through the overlapped path keep every row, version after version', async () => {
  const uri = path.join(await tempDir('dlts-durable-'), 't');
  for (let i = 0; i < 25; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, 24);
  assert.deepEqual(ids(await table.toArrow()), Array.from({ length: 25 }, (_, i) => i));
  const leftovers = (await readdir(uri, { recursive: true })).filter((n) => n.endsWith('.tmp'));
  assert.deepEqual(leftovers, []);
});
