import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { deleteRows } from '../../src/ops/dml/delete.js';
import { MergeBuilder } from '../../src/ops/dml/merge/merge-builder.js';
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

describe('MERGE under concurrent commits (Serializable)', () => {
  const upsert = (ids: number[], p: string) => partBatch(ids, p);
  const mergeInto = (snap: Awaited<ReturnType<typeof DeltaTable.open>>['snapshot'], src: ReturnType<typeof partBatch>, on: string) =>
    new MergeBuilder(async () => snap, src, { on }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();

  it('a merge keyed on the partition column reads only the source partitions: an append elsewhere commits, one inside is COMMIT_CONFLICT naming it', async () => {
    const uri = await tempDir('dlts-mergec-part-');
    await writeDeltaTable(uri, partBatch([1, 2], 'x'), { partitionBy: ['p'] });
    await writeDeltaTable(uri, partBatch([3], 'y'), { mode: 'append' });
    const on = 'target.id = source.id AND target.p = source.p';
    const stale = (await DeltaTable.open(uri)).snapshot;
    await writeDeltaTable(uri, partBatch([9], 'y'), { mode: 'append' });
    assert.equal((await mergeInto(stale, upsert([1, 5], 'x'), on)).version, 3);
    const stale2 = (await DeltaTable.open(uri)).snapshot;
    await writeDeltaTable(uri, partBatch([5], 'x'), { mode: 'append' });
    await assert.rejects(mergeInto(stale2, upsert([5], 'x'), on), (err: Error & { code: string }) => {
      assert.equal(err.code, 'COMMIT_CONFLICT');
      assert.match(err.message, /^concurrent-append: version 4 \(WRITE\) was committed concurrently/);
      return true;
    });
    // The failed merge read version 3; after version 4 it would also have matched the appended x5, so it must not commit.
    assert.deepEqual((await (await DeltaTable.open(uri)).toArrow()).toArray().map((r) => `${r.p}${r.id}`).sort(), ['x1', 'x2', 'x5', 'x5', 'y3', 'y9']);
  });

  it('a merge keyed on a data column only conflicts with any concurrent append', async () => {
    const uri = await tempDir('dlts-mergec-data-');
    await writeDeltaTable(uri, partBatch([1, 2], 'x'), { partitionBy: ['p'] });
    const stale = (await DeltaTable.open(uri)).snapshot;
    await writeDeltaTable(uri, partBatch([100], 'y'), { mode: 'append' });
    await assert.rejects(mergeInto(stale, upsert([1], 'x'), 'target.id = source.id'), { code: 'COMMIT_CONFLICT' });
  });
});
