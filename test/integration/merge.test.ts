import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { idBatch, tempDir } from '../support/temp.js';

async function rows(uri: string, version?: number): Promise<string[]> {
  const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
  return (await t.toArrow()).toArray().map((r) => `${r.id}${r.label}`).sort();
}

const source = (ids: number[], labels: string[]) => tableFromArrays({ id: BigInt64Array.from(ids.map(BigInt)), label: labels });

describe('table.merge', () => {
  for (const dv of [false, true]) {
    it(`upserts: matched rows updated, unmatched source rows inserted, others untouched (${dv ? 'deletion vectors' : 'copy-on-write'})`, async () => {
      const uri = await tempDir('dlts-merge-');
      await writeDeltaTable(uri, idBatch([1, 2, 3], 'a'), dv ? { properties: { 'delta.enableDeletionVectors': 'true' } } : {});
      const r = await (await DeltaTable.open(uri)).merge(source([2, 4], ['b', 'b']), { on: 'target.id = source.id' })
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute();
      assert.deepEqual([r.version, r.numSourceRows, r.numTargetRowsUpdated, r.numTargetRowsInserted, r.numTargetRowsDeleted, r.numTargetRowsCopied], [1, 2, 1, 1, 0, dv ? 0 : 2]);
      assert.deepEqual(await rows(uri), ['1a', '2b', '3a', '4b']);
      assert.deepEqual(await rows(uri, 0), ['1a', '2a', '3a']);
      const info = JSON.parse((await readFile(path.join(uri, '_delta_log', '00000000000000000001.json'), 'utf8')).split('\n')[0]!).commitInfo;
      assert.equal(info.operation, 'MERGE');
      assert.deepEqual(info.operationParameters, {
        predicate: '["target.id = source.id"]',
        matchedPredicates: '[{"actionType":"update"}]',
        notMatchedPredicates: '[{"actionType":"insert"}]',
        notMatchedBySourcePredicates: '[]',
      });
    });
  }

  it('clauses are tried in order with their predicates; NOT MATCHED BY SOURCE updates and deletes target-only rows', async () => {
    const uri = await tempDir('dlts-merge-clauses-');
    await writeDeltaTable(uri, idBatch([1, 2, 3, 4, 5], 'a'), { properties: { 'delta.enableChangeDataFeed': 'true' } });
    const r = await (await DeltaTable.open(uri)).merge(source([1, 2, 6, 7], ['del', 'x', 'y', 'skip']), { on: ['id'], sourceAlias: 's', targetAlias: 't' })
      .whenMatchedDelete({ predicate: "s.label = 'del'" })
      .whenMatchedUpdate({ set: { label: "t.label || s.label" } })
      .whenNotMatchedInsert({ predicate: "s.label <> 'skip'", values: { id: 's.id', label: "'new'" } })
      .whenNotMatchedBySourceDelete({ predicate: 't.id = 5' })
      .whenNotMatchedBySourceUpdate({ set: { label: "'old'" } })
      .execute();
    assert.deepEqual([r.numTargetRowsDeleted, r.numTargetRowsUpdated, r.numTargetRowsInserted], [2, 3, 1]);
    assert.deepEqual(await rows(uri), ['2ax', '3old', '4old', '6new']);
    const feed = (await (await DeltaTable.open(uri)).changes({ startingVersion: 1, endingVersion: 1 })).toArray().map((x) => `${x._change_type} ${x.id}${x.label}`).sort();
    assert.deepEqual(feed, ['delete 1a', 'delete 5a', 'insert 6new', 'update_postimage 2ax', 'update_postimage 3old', 'update_postimage 4old', 'update_preimage 2a', 'update_preimage 3a', 'update_preimage 4a']);
  });

  it('reads only the target files whose key range can match the source (a far-away file is never opened)', async () => {
    const uri = await tempDir('dlts-merge-prune-');
    await writeDeltaTable(uri, idBatch([1, 2, 3], 'a'));
    await writeDeltaTable(uri, idBatch([100, 101], 'b'), { mode: 'append' });
    const far = (await (await DeltaTable.open(uri)).files()).find((f) => f.partitionValues && f.numRecords === 2)!;
    await rm(path.join(uri, far.path));
    const r = await (await DeltaTable.open(uri)).merge(source([2, 5], ['x', 'y']), { on: ['id'] })
      .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    assert.deepEqual([r.numTargetRowsUpdated, r.numTargetRowsInserted, r.numTargetFilesRemoved], [1, 1, 1]);
  });

  it('source keys spread over the table read only the files whose min/max bracket one of them (the key list prunes, not just its range)', async () => {
    const uri = await tempDir('dlts-merge-prune-list-');
    for (const [i, base] of [0, 100, 200, 300].entries()) await writeDeltaTable(uri, idBatch([base, base + 1], 'a'), { mode: i === 0 ? 'error' : 'append' });
    // Keys 1 and 301 span every file's range; only the first and last files can hold them. The middle ones are deleted from disk:
    // opening either would fail the merge.
    const middle = (await DeltaTable.open(uri)).snapshot.files.filter((f) => /"minValues":\{"id":(100|200)[,}]/.test(f.add.stats ?? ''));
    assert.equal(middle.length, 2);
    for (const f of middle) await rm(path.join(uri, f.add.path));
    const r = await (await DeltaTable.open(uri)).merge(source([1, 301, 150], ['x', 'y', 'z']), { on: ['id'] })
      .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    assert.deepEqual([r.numTargetRowsUpdated, r.numTargetRowsInserted, r.numTargetFilesBeforeSkipping, r.numTargetFilesAfterSkipping], [2, 1, 4, 2]);
  });

  it('several source rows matching one target row is an error and nothing is committed', async () => {
    const uri = await tempDir('dlts-merge-dup-');
    await writeDeltaTable(uri, idBatch([1], 'a'));
    await assert.rejects((await DeltaTable.open(uri)).merge(source([1, 1], ['x', 'y']), { on: ['id'] }).whenMatchedUpdateAll().execute(), {
      code: 'INVALID_ARGUMENT',
      message: 'several source rows match the same target row (DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE); nothing was committed',
    });
    assert.equal((await DeltaTable.open(uri)).version, 0);
    // Except with a single unconditional matched delete (Spark allows that).
    const r = await (await DeltaTable.open(uri)).merge(source([1, 1], ['x', 'y']), { on: ['id'] }).whenMatchedDelete().execute();
    assert.equal(r.numTargetRowsDeleted, 1);
    assert.deepEqual(await rows(uri), []);
  });

  it('an insert-only merge is not checked for several source rows per target row (as Spark): matched rows stay, unmatched duplicates are all inserted', async () => {
    // Regression: found by test/property/dml-model.test.ts (we refused this merge; Spark runs it).
    const uri = await tempDir('dlts-merge-dup-ins-');
    await writeDeltaTable(uri, idBatch([1], 'a'));
    const r = await (await DeltaTable.open(uri)).merge(source([1, 1, 2, 2], ['x', 'y', 'z', 'w']), { on: ['id'] }).whenNotMatchedInsertAll().execute();
    assert.deepEqual([r.version, r.numTargetRowsInserted, r.numTargetRowsUpdated], [1, 2, 0]);
    assert.deepEqual(await rows(uri), ['1a', '2w', '2z']);
    // A merge with a NOT MATCHED BY SOURCE clause is checked.
    await assert.rejects((await DeltaTable.open(uri)).merge(source([1, 1], ['x', 'y']), { on: ['id'] }).whenNotMatchedBySourceDelete().execute(), { code: 'INVALID_ARGUMENT' });
  });

  it('refuses unknown columns, ambiguous names and a non-last clause without condition', async () => {
    const uri = await tempDir('dlts-merge-err-');
    await writeDeltaTable(uri, idBatch([1], 'a'));
    const t = await DeltaTable.open(uri);
    await assert.rejects(t.merge(source([1], ['x']), { on: 'target.id = source.nope' }).whenMatchedDelete().execute(), {
      code: 'INVALID_ARGUMENT', message: 'column "source.nope" in the expression "target.id = source.nope" is not in the table',
    });
    await assert.rejects(t.merge(source([1], ['x']), { on: 'id = id' }).whenMatchedDelete().execute(), {
      code: 'INVALID_ARGUMENT', message: 'column "id" is ambiguous: both target and source have it in the expression "id = id"',
    });
    await assert.rejects(t.merge(source([1], ['x']), { on: ['id'] }).whenMatchedDelete().whenMatchedUpdateAll().execute(), { code: 'INVALID_ARGUMENT' });
    assert.equal((await DeltaTable.open(uri)).version, 0);
  });
});
