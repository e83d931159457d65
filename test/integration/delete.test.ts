import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { deserializeRoaringTreemap, dvRelativePath, parseDvFile } from '../../src/protocol/deletion-vector.js';
import { idBatch, tempDir } from '../support/temp.js';

const DV = { 'delta.enableDeletionVectors': 'true' };
const CDF = { 'delta.enableChangeDataFeed': 'true' };

async function ids(uri: string, version?: number): Promise<string[]> {
  const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
  return (await t.toArrow()).toArray().map((r) => `${r.id}${r.label}`).sort();
}

async function commit(uri: string, version: number): Promise<Array<Record<string, Record<string, unknown>>>> {
  const text = await readFile(path.join(uri, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

describe('table.delete', () => {
  it('copy-on-write: rewrites the touched file without the deleted rows and records Spark DELETE commitInfo', async () => {
    const uri = await tempDir('dlts-del-cow-');
    await writeDeltaTable(uri, idBatch([1, 2, 3, 4], 'a'));
    await writeDeltaTable(uri, idBatch([10, 11], 'b'), { mode: 'append' });
    const r = await (await DeltaTable.open(uri)).delete('id >= 3 AND id < 11');
    assert.deepEqual(r, {
      version: 2, numDeletedRows: 3, numCopiedRows: 3, numAddedFiles: 1, numRemovedFiles: 2, numAddedChangeFiles: 0,
      numDeletionVectorsAdded: 0, numDeletionVectorsRemoved: 0, numDeletionVectorsUpdated: 0,
    });
    assert.deepEqual(await ids(uri), ['11b', '1a', '2a']);
    assert.deepEqual(await ids(uri, 1), ['10b', '11b', '1a', '2a', '3a', '4a']);
    const info = (await commit(uri, 2))[0]!.commitInfo!;
    assert.equal(info.operation, 'DELETE');
    assert.deepEqual(info.operationParameters, { predicate: '["(id >= 3) AND (id < 11)"]' });
    assert.equal((info.operationMetrics as Record<string, string>).numDeletedRows, '3');
  });

  it('whole files whose rows all match are removed without rewriting; a predicate matching nothing commits nothing', async () => {
    const uri = await tempDir('dlts-del-whole-');
    await writeDeltaTable(uri, idBatch([1, 2], 'a'));
    await writeDeltaTable(uri, idBatch([3], 'b'), { mode: 'append' });
    const r = await (await DeltaTable.open(uri)).delete([['label', '=', 'b']]);
    assert.equal(r.numRemovedFiles, 1);
    assert.equal(r.numAddedFiles, 0);
    const actions = await commit(uri, r.version);
    assert.equal(actions.filter((a) => 'add' in a).length, 0);
    const none = await (await DeltaTable.open(uri)).delete('id > 100');
    assert.deepEqual([none.version, none.numDeletedRows], [2, 0]);
    assert.deepEqual(await ids(uri), ['1a', '2a']);
  });

  it('rows where the predicate is NULL are kept', async () => {
    const uri = await tempDir('dlts-del-null-');
    await writeDeltaTable(uri, idBatch([1, 2, 3], 'a'));
    const r = await (await DeltaTable.open(uri)).delete('CASE WHEN id = 2 THEN NULL ELSE id > 1 END');
    assert.equal(r.numDeletedRows, 1);
    assert.deepEqual(await ids(uri), ['1a', '2a']);
  });

  it('with deletion vectors: writes a Spark-layout DV file, re-commits the file with tightBounds false, and combines DVs', async () => {
    const uri = await tempDir('dlts-del-dv-');
    await writeDeltaTable(uri, idBatch([0, 1, 2, 3, 4, 5, 6, 7], 'a'), { properties: { ...DV, 'delta.enableChangeDataFeed': 'true' } });
    const first = await (await DeltaTable.open(uri)).delete('id IN (1, 6)');
    assert.deepEqual([first.numDeletedRows, first.numDeletionVectorsAdded, first.numAddedFiles, first.numRemovedFiles], [2, 1, 0, 0]);
    const second = await (await DeltaTable.open(uri)).delete("id = 3 OR label = 'zzz'");
    assert.deepEqual([second.numDeletedRows, second.numDeletionVectorsAdded, second.numDeletionVectorsRemoved, second.numDeletionVectorsUpdated], [1, 1, 1, 1]);
    assert.deepEqual(await ids(uri), ['0a', '2a', '4a', '5a', '7a']);
    assert.deepEqual(await ids(uri, 1), ['0a', '2a', '3a', '4a', '5a', '7a']);
    assert.deepEqual(await ids(uri, 0), ['0a', '1a', '2a', '3a', '4a', '5a', '6a', '7a']);
    const actions = await commit(uri, 2);
    const add = actions.find((a) => 'add' in a)!.add!;
    const remove = actions.find((a) => 'remove' in a)!.remove!;
    assert.equal(add.path, remove.path);
    const dv = add.deletionVector as { storageType: 'u'; pathOrInlineDv: string; offset: number; sizeInBytes: number; cardinality: number };
    assert.deepEqual([dv.storageType, dv.offset, dv.cardinality], ['u', 1, 3]);
    assert.equal((remove.deletionVector as { cardinality: number }).cardinality, 2);
    assert.match(String(add.stats), /"tightBounds":false/);
    const file = await readFile(path.join(uri, dvRelativePath(dv)));
    assert.deepEqual([...deserializeRoaringTreemap(parseDvFile(file, dv.offset, dv.sizeInBytes))], [1, 3, 6]);
    assert.ok((await readdir(uri)).some((f) => /^deletion_vector_[0-9a-f-]{36}\.bin$/.test(f)));
    // The change feed of the DV commits is derived from the DV difference.
    const feed = (await (await DeltaTable.open(uri)).changes({ startingVersion: 1, endingVersion: 2 })).toArray().map((x) => `${x._change_type} ${x.id} v${x._commit_version}`).sort();
    assert.deepEqual(feed, ['delete 1 v1', 'delete 3 v2', 'delete 6 v1']);
  });

  it('with the change data feed and copy-on-write, every deleted row goes to cdc files, whole-file ones too', async () => {
    const uri = await tempDir('dlts-del-cdf-');
    await writeDeltaTable(uri, idBatch([1, 2, 3], 'a'), { properties: CDF });
    await writeDeltaTable(uri, idBatch([4], 'b'), { mode: 'append' });
    const r = await (await DeltaTable.open(uri)).delete('id = 2 OR id = 4');
    assert.ok(r.numAddedChangeFiles > 0);
    const feed = (await (await DeltaTable.open(uri)).changes({ startingVersion: 2, endingVersion: 2 })).toArray().map((x) => `${x._change_type} ${x.id}${x.label}`).sort();
    assert.deepEqual(feed, ['delete 2a', 'delete 4b']);
  });

  it('refuses unknown columns and mismatched types before writing anything', async () => {
    const uri = await tempDir('dlts-del-err-');
    await writeDeltaTable(uri, idBatch([1], 'a'));
    const t = await DeltaTable.open(uri);
    await assert.rejects(t.delete('nope = 1'), { code: 'INVALID_ARGUMENT', message: 'column "nope" in the expression "nope = 1" is not in the table', hint: 'columns are: id, label; quote names with spaces or capitals as `Name`' });
    await assert.rejects(t.delete("id = 'x'"), { code: 'INVALID_ARGUMENT', message: 'cannot compare long with string in the expression "id = \'x\'"' });
    assert.deepEqual((await readdir(path.join(uri, '_delta_log'))).filter((f) => f.endsWith('.json')), ['00000000000000000000.json']);
  });

  it('an append-only table refuses DELETE', async () => {
    const uri = await tempDir('dlts-del-ao-');
    await writeDeltaTable(uri, idBatch([1], 'a'), { properties: { 'delta.appendOnly': 'true' } });
    await assert.rejects((await DeltaTable.open(uri)).delete('id = 1'), { code: 'UNSUPPORTED_FEATURE' });
  });
});
