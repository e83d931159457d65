import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { idBatch, tempDir } from '../support/temp.js';

async function rows(uri: string, version?: number): Promise<string[]> {
  const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
  return (await t.toArrow()).toArray().map((r) => `${r.id}${r.label}`).sort();
}

describe('table.update', () => {
  for (const dv of [false, true]) {
    it(`sets columns of the matching rows only (${dv ? 'deletion vectors' : 'copy-on-write'}), with Spark UPDATE commitInfo`, async () => {
      const uri = await tempDir('dlts-upd-');
      await writeDeltaTable(uri, idBatch([1, 2, 3, 4], 'a'), dv ? { properties: { 'delta.enableDeletionVectors': 'true' } } : {});
      const r = await (await DeltaTable.open(uri)).update({ predicate: 'id >= 3', set: { label: "label || '!'", id: 'id * 10' } });
      assert.deepEqual(r, {
        version: 1, numUpdatedRows: 2, numCopiedRows: dv ? 0 : 2, numAddedFiles: 1, numRemovedFiles: dv ? 0 : 1, numAddedChangeFiles: 0,
        numDeletionVectorsAdded: dv ? 1 : 0, numDeletionVectorsRemoved: 0, numDeletionVectorsUpdated: 0,
      });
      assert.deepEqual(await rows(uri), ['1a', '2a', '30a!', '40a!']);
      assert.deepEqual(await rows(uri, 0), ['1a', '2a', '3a', '4a']);
      const info = JSON.parse((await readFile(path.join(uri, '_delta_log', '00000000000000000001.json'), 'utf8')).split('\n')[0]!).commitInfo;
      assert.equal(info.operation, 'UPDATE');
      assert.deepEqual(info.operationParameters, { predicate: '["id >= 3"]' });
      // A second update over the DV'd file combines the DVs.
      const again = await (await DeltaTable.open(uri)).update({ predicate: [['id', '=', 2n]], set: { label: null } });
      assert.equal(again.numUpdatedRows, 1);
      assert.deepEqual(await rows(uri), ['1a', '2null', '30a!', '40a!']);
    });
  }

  it('with the change data feed records update_preimage and update_postimage rows', async () => {
    const uri = await tempDir('dlts-upd-cdf-');
    await writeDeltaTable(uri, idBatch([1, 2], 'a'), { properties: { 'delta.enableChangeDataFeed': 'true', 'delta.enableDeletionVectors': 'true' } });
    await (await DeltaTable.open(uri)).update({ predicate: 'id = 2', set: { label: "'b'" } });
    const feed = (await (await DeltaTable.open(uri)).changes({ startingVersion: 1, endingVersion: 1 })).toArray().map((x) => `${x._change_type} ${x.id}${x.label}`).sort();
    assert.deepEqual(feed, ['update_postimage 2b', 'update_preimage 2a']);
  });

  it('refuses unknown columns, mismatched value types and unknown set keys before writing', async () => {
    const uri = await tempDir('dlts-upd-err-');
    await writeDeltaTable(uri, idBatch([1], 'a'));
    const t = await DeltaTable.open(uri);
    await assert.rejects(t.update({ set: { nope: 1 } }), { code: 'INVALID_ARGUMENT', message: 'update sets column "nope", which is not in the table', hint: 'columns are: id, label' });
    await assert.rejects(t.update({ set: { id: "'x'" } }), {
      code: 'INVALID_ARGUMENT', message: 'the value for column "id" is string, which does not fit its type long in the expression "\'x\'"', hint: "CAST the value: CAST('x' AS BIGINT)",
    });
    await assert.rejects(t.update({ set: { label: 'missing + 1' } }), { code: 'INVALID_ARGUMENT', message: 'column "missing" in the expression "missing + 1" is not in the table' });
    await assert.rejects(t.update({ set: { id: 'x' } as never, predicate: 'id = 1' }), { code: 'INVALID_ARGUMENT', message: 'column "x" in the expression "x" is not in the table' });
    assert.deepEqual(await rows(uri), ['1a']);
    assert.equal((await DeltaTable.open(uri)).version, 0);
  });
});
