import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { deleteRows } from '../../src/ops/dml/delete.js';
import { batchOf, idBatch, tempDir } from '../support/temp.js';
import { Int64, Utf8 } from 'apache-arrow';

const partBatch = (ids: number[], p: string) => batchOf({ id: { type: new Int64(), values: ids.map(BigInt) }, p: { type: new Utf8(), values: ids.map(() => p) } });

describe('DELETE under concurrent commits (Serializable)', () => {
  it('a concurrent append to an unpartitioned table makes the DELETE fail with COMMIT_CONFLICT naming the winner', async () => {
    const uri = await tempDir('dlts-delc-');
    await writeDeltaTable(uri, idBatch([1, 2, 3], 'a'));
    const stale = (await DeltaTable.open(uri)).snapshot;
    await writeDeltaTable(uri, idBatch([4], 'b'), { mode: 'append' });
    await assert.rejects(deleteRows(stale, 'id = 2'), (err: Error & { code: string }) => {
      assert.equal(err.code, 'COMMIT_CONFLICT');
      assert.match(err.message, /^concurrent-append: version 1 \(WRITE\) was committed concurrently/);
      return true;
    });
  });

  it('an append to a partition the predicate cannot read does not conflict; one it can read does', async () => {
    const uri = await tempDir('dlts-delc-part-');
    await writeDeltaTable(uri, partBatch([1, 2], 'x'), { partitionBy: ['p'] });
    const stale = (await DeltaTable.open(uri)).snapshot;
    await writeDeltaTable(uri, partBatch([3], 'y'), { mode: 'append' });
    const r = await deleteRows(stale, "p = 'x' AND id = 1");
    assert.equal(r.version, 2);
    const stale2 = (await DeltaTable.open(uri)).snapshot;
    await writeDeltaTable(uri, partBatch([4], 'x'), { mode: 'append' });
    await assert.rejects(deleteRows(stale2, "p = 'x' AND id = 2"), { code: 'COMMIT_CONFLICT' });
  });

  it('two deletion-vector deletes of the same file conflict', async () => {
    const uri = await tempDir('dlts-delc-dv-');
    await writeDeltaTable(uri, partBatch([1, 2, 3], 'x'), { partitionBy: ['p'], properties: { 'delta.enableDeletionVectors': 'true' } });
    const stale = (await DeltaTable.open(uri)).snapshot;
    await deleteRows((await DeltaTable.open(uri)).snapshot, "p = 'x' AND id = 1");
    await assert.rejects(deleteRows(stale, "p = 'x' AND id = 3"), (err: Error & { code: string }) => {
      assert.equal(err.code, 'COMMIT_CONFLICT');
      // Our checker sees the re-added file first (checked appends run before delete-vs-read).
      assert.match(err.message, /^concurrent-(append|delete-read): version 1 \(DELETE\)/);
      return true;
    });
    assert.deepEqual((await (await DeltaTable.open(uri)).toArrow()).toArray().map((r) => Number(r.id)).sort(), [2, 3]);
  });
});

describe('DELETE with deletion vectors in different partitions', () => {
  it('two concurrent DV deletes of files in different partitions both commit', async () => {
    const uri = await tempDir('dlts-delc-dv2-');
    await writeDeltaTable(uri, partBatch([1, 2], 'x'), { partitionBy: ['p'], properties: { 'delta.enableDeletionVectors': 'true' } });
    await writeDeltaTable(uri, partBatch([3, 4], 'y'), { mode: 'append' });
    const stale = (await DeltaTable.open(uri)).snapshot;
    await deleteRows((await DeltaTable.open(uri)).snapshot, "p = 'x' AND id = 1");
    const r = await deleteRows(stale, "p = 'y' AND id = 4");
    assert.equal(r.version, 3);
    assert.deepEqual((await (await DeltaTable.open(uri)).toArrow()).toArray().map((x) => Number(x.id)).sort(), [2, 3]);
  });
});
