import assert from 'node:assert/strict';
import { readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { idBatch, tempDir } from '../support/temp.js';

test('with delta.enableInCommitTimestamps=true every commit starts with a monotonic inCommitTimestamp and time travel uses it, not file times', async () => {
  const uri = await tempDir();
  let clock = Date.UTC(2026, 5, 1);
  const now = () => clock;
  await writeDeltaTable(uri, idBatch([0]), { properties: { 'delta.enableInCommitTimestamps': 'true' }, now });
  clock -= 60_000; // the wall clock steps back: timestamps must still increase
  await writeDeltaTable(uri, idBatch([1]), { mode: 'append', now });
  clock += 3_600_000;
  await writeDeltaTable(uri, idBatch([2]), { mode: 'append', now });
  const icts: number[] = [];
  for (let v = 0; v <= 2; v++) {
    const file = path.join(uri, '_delta_log', `${String(v).padStart(20, '0')}.json`);
    const first = JSON.parse((await readFile(file, 'utf8')).split('\n')[0]!);
    assert.ok(first.commitInfo, 'commitInfo is the first line');
    icts.push(first.commitInfo.inCommitTimestamp);
    await utimes(file, new Date(2000, 0, 1), new Date(2000, 0, 1)); // file times no longer matter
  }
  assert.deepEqual(icts, [Date.UTC(2026, 5, 1), Date.UTC(2026, 5, 1) + 1, Date.UTC(2026, 5, 1) + 3_540_000]);
  const table = await DeltaTable.open(uri);
  assert.ok(table.protocol.writerFeatures?.includes('inCommitTimestamp'));
  assert.equal((await DeltaTable.open(uri, { timestamp: new Date(icts[1]! + 10) })).version, 1);
  assert.equal((await DeltaTable.open(uri, { timestamp: new Date(icts[2]!) })).version, 2);
});
