import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Field, Int32, makeData, RecordBatch, Schema, Struct, type Data, type DataType } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { vacuumTable } from '../../src/ops/maintain/vacuum.js';
import { loadSnapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { idBatch, tempDir } from '../support/temp.js';
import { tableIds } from '../support/read.js';

const TEMP = /\.tmp$/;

test('a put whose rename fails leaves no temp file behind and raises STORAGE_FAILURE', async () => {
  const root = await tempDir();
  const store = new LocalStore(root);
  await mkdir(path.join(root, 'dir', 'target'), { recursive: true }); // rename onto a non-empty directory fails
  await writeFile(path.join(root, 'dir', 'target', 'keep'), 'x');
  await assert.rejects(store.put('dir/target', new Uint8Array([1, 2, 3])), (err: any) => err.code === 'STORAGE_FAILURE');
  assert.deepEqual((await readdir(path.join(root, 'dir'))).filter((n) => TEMP.test(n)), []);
});

test('stale temp files in _delta_log are removed at the next checkpoint; recent ones are left alone', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([0]));
  const logDir = path.join(uri, '_delta_log');
  const stale = `.${'5'.padStart(20, '0')}.json.0b9f5a4e-7c1d-4a55-9b0e-2f3c4d5e6f70.tmp`;
  const fresh = `.${'6'.padStart(20, '0')}.json.1c9f5a4e-7c1d-4a55-9b0e-2f3c4d5e6f71.tmp`;
  const unrelated = '.not-ours.tmp';
  for (const name of [stale, fresh, unrelated]) await writeFile(path.join(logDir, name), '{"half":');
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
  await utimes(path.join(logDir, stale), twoHoursAgo, twoHoursAgo);
  await utimes(path.join(logDir, unrelated), twoHoursAgo, twoHoursAgo);
  for (let i = 1; i <= 10; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' }); // v10 checkpoints
  const left = (await readdir(logDir)).filter((n) => TEMP.test(n)).sort();
  assert.deepEqual(left, [fresh, unrelated].sort());
  assert.deepEqual(await tableIds(uri), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('vacuum on a busy table lands its VACUUM START and END commits however many writers commit first', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([0]));
  const inner = new LocalStore(uri);
  let rivals = 0;
  // Before each of vacuum's first 25 commit attempts a rival append takes that version, so both
  // of its commits lose far more races than the usual attempt budget.
  const busy: ObjectStore = Object.assign(Object.create(inner) as LocalStore, {
    async putIfAbsent(p: string, bytes: Uint8Array) {
      if (rivals < 25 && p.startsWith('_delta_log/') && p.endsWith('.json')) {
        rivals++;
        await writeDeltaTable(uri, idBatch([1000 + rivals]), { mode: 'append' });
      }
      return inner.putIfAbsent(p, bytes);
    },
  });
  const result = await vacuumTable(await loadSnapshot(busy), { dryRun: false });
  assert.deepEqual(result.files, []);
  assert.equal(rivals, 25);
  const ops = (await (await DeltaTable.open(uri)).history()).map((h) => h.operation);
  assert.equal(ops.filter((o) => o === 'VACUUM START').length, 1);
  assert.equal(ops.filter((o) => o === 'VACUUM END').length, 1);
  assert.equal((await tableIds(uri)).length, 26);
});

test('data the Parquet encoder cannot take (a struct nested 63 levels) is INVALID_ARGUMENT with a hint, and nothing is written', async () => {
  const uri = await tempDir();
  let type: DataType = new Int32();
  let data = makeData({ type: new Int32(), length: 1, nullCount: 0, data: new Int32Array([7]) }) as Data;
  for (let i = 0; i < 63; i++) {
    type = new Struct([new Field(`f${i}`, type, true)]);
    data = makeData({ type: type as Struct, length: 1, nullCount: 0, children: [data] });
  }
  const schema = new Schema([new Field('s', type, true)]);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children: [data] }));
  await assert.rejects(writeDeltaTable(uri, batch), (err: any) => {
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.hint, /flatten/);
    return true;
  });
  assert.deepEqual(await readdir(uri), []);
});
