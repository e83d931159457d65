import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { deltaError } from '../support/streams.js';
import { idBatch, tempDir } from '../support/temp.js';

/*
 * changes() covers a range only when every version in it had delta.enableChangeDataFeed=true in
 * its metadata as of that version (Spark's DELTA_MISSING_CHANGE_DATA otherwise).
 */

const CDF_ON = { 'delta.enableChangeDataFeed': 'true' };
const SET_PROPERTY_HINT = 'set the table property delta.enableChangeDataFeed=true (the properties option of a write); only versions committed after that have change data';

const feed = async (uri: string, startingVersion: number, endingVersion?: number): Promise<string[]> =>
  (await (await DeltaTable.open(uri)).changes({ startingVersion, ...(endingVersion !== undefined ? { endingVersion } : {}) }))
    .toArray().map((r) => `${r._change_type} ${r.id}@${r._commit_version}`).sort();

function refusal(message: string, hint: string) {
  return (e: unknown): boolean => {
    deltaError('INVALID_ARGUMENT', /no change data/)(e);
    assert.equal((e as Error).message, message);
    assert.equal((e as { hint: string }).hint, hint);
    return true;
  };
}

test('changes() on a table that never enabled the change data feed is refused, naming the versions and the property', async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, idBatch([1, 2], 'a'));
  await writeDeltaTable(uri, idBatch([2], 'b'), { mode: 'overwrite', predicate: [['id', '=', 2n]] });
  await assert.rejects(feed(uri, 0), refusal(
    'no change data for versions 0..1 of the requested range 0..1: the change data feed (delta.enableChangeDataFeed) was not enabled then',
    SET_PROPERTY_HINT,
  ));
  await assert.rejects(feed(uri, 1, 1), refusal(
    'no change data for version 1 of the requested range 1..1: the change data feed (delta.enableChangeDataFeed) was not enabled then',
    SET_PROPERTY_HINT,
  ));
});

test('with the change data feed enabled at version 2, changes from version 2 are read and ranges reaching back before it are refused', async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, idBatch([1]));
  await writeDeltaTable(uri, idBatch([2]), { mode: 'append' });
  await writeDeltaTable(uri, idBatch([3]), { mode: 'append', properties: CDF_ON });
  await writeDeltaTable(uri, idBatch([4]), { mode: 'append' });
  assert.deepEqual(await feed(uri, 2), ['insert 3@2', 'insert 4@3']);
  assert.deepEqual(await feed(uri, 3, 3), ['insert 4@3']);
  await assert.rejects(feed(uri, 0), refusal(
    'no change data for versions 0..1 of the requested range 0..3: the change data feed (delta.enableChangeDataFeed) was not enabled then',
    'read changes from version 2 on, where the change data feed is enabled',
  ));
  await assert.rejects(feed(uri, 1, 2), refusal(
    'no change data for version 1 of the requested range 1..2: the change data feed (delta.enableChangeDataFeed) was not enabled then',
    'read changes from version 2 on, where the change data feed is enabled',
  ));
});

test('a version that turned the change data feed off is refused even when the range starts where it was on', async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, idBatch([1]), { properties: CDF_ON });
  await writeDeltaTable(uri, idBatch([2]), { mode: 'append', properties: { 'delta.enableChangeDataFeed': 'false' } });
  await writeDeltaTable(uri, idBatch([3]), { mode: 'append', properties: CDF_ON });
  assert.deepEqual(await feed(uri, 0, 0), ['insert 1@0']);
  assert.deepEqual(await feed(uri, 2), ['insert 3@2']);
  await assert.rejects(feed(uri, 0), refusal(
    'no change data for version 1 of the requested range 0..2: the change data feed (delta.enableChangeDataFeed) was not enabled then',
    'read changes from version 2 on, where the change data feed is enabled',
  ));
});
