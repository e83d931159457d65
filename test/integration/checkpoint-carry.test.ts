import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { readLastCheckpoint } from '../../src/log/last-checkpoint-file.js';
import { carriedCheckpoint, carryCheckpoint } from '../../src/ops/write/checkpoint-carry.js';
import { writeCheckpoint } from '../../src/ops/write/checkpoint.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { idBatch, tempDir } from '../support/temp.js';
import { tableIds } from '../support/read.js';

test('appends in a loop build each checkpoint from the one kept in memory, and a fresh process reads the same rows through it', async () => {
  const uri = path.join(await tempDir('dlts-carry-'), 't');
  for (let i = 0; i < 31; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  const store = new LocalStore(uri);
  assert.equal(carriedCheckpoint(store.rootUri)?.version, 30, 'the checkpoint of version 30 is kept for the next one');
  assert.equal((await readLastCheckpoint(store))?.numOfAddFiles, 31);
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, 30);
  assert.deepEqual(await tableIds(uri), Array.from({ length: 31 }, (_, i) => i));
});

test('a checkpoint kept in memory is not used once its table was deleted and made again at the same place', async () => {
  const uri = path.join(await tempDir('dlts-carry-'), 't');
  // Table A: 11 commits, its checkpoint of version 10 kept in memory.
  for (let i = 0; i < 11; i++) await writeDeltaTable(uri, idBatch([1000 + i]), { mode: 'append' });
  const store = new LocalStore(uri);
  assert.equal(carriedCheckpoint(store.rootUri)?.version, 10);
  // Table B at the same place, with no checkpoint of its own yet.
  await rm(uri, { recursive: true });
  await writeDeltaTable(uri, idBatch([0]), { properties: { 'delta.checkpointInterval': '1000' } });
  for (let i = 1; i < 15; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  const result = await writeCheckpoint(store, { version: 14 });
  // Built on A's rows, it would list A's 11 files (gone from disk) beside B's 15.
  assert.equal(result.numOfAddFiles, 15);
  assert.equal(carriedCheckpoint(store.rootUri)?.version, 14);
  assert.equal((await DeltaTable.open(uri)).version, 14);
  assert.deepEqual(await tableIds(uri), Array.from({ length: 15 }, (_, i) => i));
});

test('a kept checkpoint whose file was replaced by a same-sized one within the same second (S3 times have whole seconds) is not used: its footer differs', async () => {
  const uri = path.join(await tempDir('dlts-carry-'), 't');
  for (let i = 0; i < 11; i++) await writeDeltaTable(uri, idBatch([1000 + i]), { mode: 'append' });
  const store = new LocalStore(uri);
  const kept = carriedCheckpoint(store.rootUri)!;
  await rm(uri, { recursive: true });
  // Table B, same shape, its own checkpoint of version 10 (written by another process: this one
  // is made to forget it, keeping A's rows, as if B's file had A's size and time).
  for (let i = 0; i < 11; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  const theirs = (await store.head('_delta_log/00000000000000000010.checkpoint.parquet'))!;
  carryCheckpoint(store.rootUri, { ...kept, file: theirs });
  for (let i = 11; i < 15; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  const result = await writeCheckpoint(store, { version: 14 });
  assert.equal(result.numOfAddFiles, 15);
  assert.deepEqual(await tableIds(uri), Array.from({ length: 15 }, (_, i) => i));
});
