import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { commitPath } from '../../src/protocol/log-paths.js';
import { idBatch, tempDir } from '../support/temp.js';

const BASE = Date.UTC(2026, 0, 1);

/** 12 commits of one id each (checkpoints at 5 and 10), commit v modified at BASE + v seconds. */
async function table(): Promise<string> {
  const uri = await tempDir('dlts-open-ts-');
  await writeDeltaTable(uri, idBatch([0]), { properties: { 'delta.checkpointInterval': '5' } });
  for (let v = 1; v < 12; v++) await writeDeltaTable(uri, idBatch([v]), { mode: 'append' });
  for (let v = 0; v < 12; v++) await utimes(path.join(uri, commitPath(v)), (BASE + v * 1000) / 1000, (BASE + v * 1000) / 1000);
  return uri;
}

const ids = async (t: DeltaTable): Promise<number[]> => [...(await t.toArrow()).getChild('id')!].map(Number).sort((a, b) => a - b);

test('open by timestamp loads the version from the listing that found it: through the checkpoint below it, never one above it', async () => {
  const uri = await table();
  for (const [at, version, checkpoint] of [[7_500, 7, 5], [5_000, 5, 5], [4_999, 4, undefined], [11_000, 11, 10], [0, 0, undefined]] as const) {
    const t = await DeltaTable.open(uri, { timestamp: new Date(BASE + at) });
    assert.equal(t.version, version, `at +${at} ms`);
    assert.equal(t.snapshot.segment.checkpoint?.version, checkpoint, `at +${at} ms`);
    assert.deepEqual(await ids(t), Array.from({ length: version + 1 }, (_, i) => i));
  }
});

test('open by timestamp falls back past an unreadable checkpoint, as open by version does', async () => {
  const uri = await table();
  await writeFile(path.join(uri, '_delta_log', '00000000000000000005.checkpoint.parquet'), 'not parquet');
  const t = await DeltaTable.open(uri, { timestamp: new Date(BASE + 7_000) });
  assert.equal(t.version, 7);
  assert.equal(t.snapshot.segment.checkpoint, undefined);
  assert.deepEqual(await ids(t), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(await ids(await DeltaTable.open(uri, { version: 7 })), [0, 1, 2, 3, 4, 5, 6, 7]);
});
