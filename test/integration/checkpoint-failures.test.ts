import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { writeToStore } from '../../src/ops/write/write.js';
import { serializeCommit } from '../../src/protocol/action-codec.js';
import type { Action } from '../../src/protocol/actions.js';
import { commitPath } from '../../src/protocol/log-paths.js';
import { loadSnapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { startWorker } from '../support/processes.js';
import { tableIds } from '../support/read.js';
import { faultyStore } from '../support/store-wrappers.js';
import { idBatch, tempDir } from '../support/temp.js';

/** Collects process warnings emitted while `run` runs. */
async function warningsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error): void => void seen.push(`${w.name}: ${w.message}`);
  process.on('warning', listener);
  try {
    await run();
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

for (const failing of [/\.checkpoint\.parquet$/, /_last_checkpoint$/]) {
  test(`a checkpoint whose put of ${failing.source} fails never fails the commit that triggered it; the table stays readable`, async () => {
    const uri = await tempDir('dlts-cp-fail-');
    await writeDeltaTable(uri, idBatch([0]), { properties: { 'delta.checkpointInterval': '2' } });
    await writeDeltaTable(uri, idBatch([1]), { mode: 'append' });
    const store = faultyStore(new LocalStore(uri), { failOn: 'put', match: failing });
    let version = -1;
    const warnings = await warningsDuring(async () => {
      ({ version } = await writeToStore(store, await loadSnapshot(store), idBatch([2]), { mode: 'append' }));
    });
    assert.equal(store.failures, 1);
    assert.equal(version, 2);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /DeltaCheckpointWarning: checkpoint of version 2 failed \(the commit itself succeeded\)/);
    assert.deepEqual(await tableIds(uri), [0, 1, 2]);
    await writeDeltaTable(uri, idBatch([3]), { mode: 'append' });
    await writeDeltaTable(uri, idBatch([4]), { mode: 'append' }); // version 4: the next checkpoint succeeds
    assert.deepEqual(await tableIds(uri), [0, 1, 2, 3, 4]);
    assert.equal((await DeltaTable.open(uri)).snapshot.segment.checkpoint?.version, 4);
  });
}

test('checkpoint processes killed with SIGKILL at random moments never leave the table unreadable', { timeout: 120_000 }, async () => {
  // 40k files in 4 commits: a checkpoint takes long enough to be killed in the middle.
  const uri = await tempDir('dlts-cp-kill-');
  const store = new LocalStore(uri);
  const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] });
  const header: Action[] = [
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { metaData: { id: 'kill', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {}, createdTime: 0 } },
  ];
  for (let v = 0; v < 4; v++) {
    const adds: Action[] = Array.from({ length: 10_000 }, (_, i) => ({ add: { path: `part-${v}-${i}.parquet`, partitionValues: {}, size: 1, modificationTime: 0, dataChange: true, stats: '{"numRecords":1}' } }));
    await store.putIfAbsent(commitPath(v), serializeCommit(v === 0 ? [...header, ...adds] : adds));
  }
  let completed = 0;
  for (let round = 0; round < 6; round++) {
    const worker = startWorker('checkpoint-worker', [uri]);
    // The first round lets one checkpoint finish, so later rounds also kill overwrites of it.
    while (round === 0 && worker.lines.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 1500)));
    worker.child.kill('SIGKILL');
    const { signal } = await worker.done;
    assert.equal(signal, 'SIGKILL');
    completed += worker.lines.filter((l) => l === 'checkpoint 3').length;
    const table = await DeltaTable.open(uri);
    assert.equal(table.version, 3, `round ${round}`);
    assert.equal(table.snapshot.files.length, 40_000, `round ${round}`);
  }
  assert.ok(completed > 0, 'at least one checkpoint completed before a kill');
  const log = await readdir(path.join(uri, '_delta_log'));
  assert.ok(log.includes('00000000000000000003.checkpoint.parquet'));
});

test('a checkpoint is written past an unreadable previous one: built from the commits instead, with the same rows', async () => {
  const uri = await tempDir('dlts-cp-fallback-');
  await writeDeltaTable(uri, idBatch([0]), { properties: { 'delta.checkpointInterval': '5' } });
  for (let i = 1; i <= 9; i++) await writeDeltaTable(uri, idBatch([i]), { mode: i === 7 ? 'overwrite' : 'append' });
  const first = path.join(uri, '_delta_log', `${'5'.padStart(20, '0')}.checkpoint.parquet`);
  await writeFile(first, 'garbage, not parquet');
  const warnings = await warningsDuring(() => writeDeltaTable(uri, idBatch([10]), { mode: 'append' }));
  assert.deepEqual(warnings, []);
  const names = await readdir(path.join(uri, '_delta_log'));
  assert.ok(names.includes(`${'10'.padStart(20, '0')}.checkpoint.parquet`), `checkpoint 10 written: ${names.join(', ')}`);
  // Reading v10 from its checkpoint alone (the commits before it gone) gives the right rows.
  for (let v = 0; v <= 10; v++) await new LocalStore(uri).delete(commitPath(v));
  assert.deepEqual(await tableIds(uri), [7, 8, 9, 10]);
});
