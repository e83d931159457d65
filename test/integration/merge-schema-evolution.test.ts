import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { idBatch, tempDir } from '../support/temp.js';

/** Rows as "id label extra" strings (extra absent from the schema reads as "-"). */
async function rows(uri: string, version?: number): Promise<string[]> {
  const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
  return (await t.toArrow()).toArray().map((r) => `${r.id} ${r.label} ${'extra' in r.toJSON() ? String(r.extra) : '-'}`).sort();
}

const columns = async (uri: string, version?: number): Promise<string[]> =>
  (await DeltaTable.open(uri, version === undefined ? {} : { version })).snapshot.schema.fields.map((f) => `${f.name}:${String(f.type)}${f.nullable ? '' : '!'}`);

const wider = (ids: number[], labels: string[], extra: Array<number | null>) =>
  tableFromArrays({ id: BigInt64Array.from(ids.map(BigInt)), label: labels, extra: Int32Array.from(extra.map((e) => e ?? 0)) });

describe("MERGE schema evolution (schemaMode: 'merge')", () => {
  for (const props of [{}, { 'delta.enableDeletionVectors': 'true', 'delta.enableChangeDataFeed': 'true' }]) {
    const how = Object.keys(props).length ? 'deletion vectors + change feed' : 'copy-on-write';
    it(`UpdateAll/InsertAll add the source's new column; other rows read it as NULL; the earlier version keeps the old schema (${how})`, async () => {
      const uri = await tempDir('dlts-merge-evo-');
      await writeDeltaTable(uri, idBatch([1, 2, 3], 'a'), { properties: props });
      const r = await (await DeltaTable.open(uri)).merge(wider([2, 4], ['b', 'b'], [20, 40]), { on: ['id'], schemaMode: 'merge' })
        .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
      assert.deepEqual([r.version, r.numTargetRowsUpdated, r.numTargetRowsInserted], [1, 1, 1]);
      assert.deepEqual(await columns(uri), ['id:long', 'label:string', 'extra:integer']);
      assert.deepEqual(await rows(uri), ['1 a null', '2 b 20', '3 a null', '4 b 40']);
      assert.deepEqual(await columns(uri, 0), ['id:long', 'label:string']);
      assert.deepEqual(await rows(uri, 0), ['1 a -', '2 a -', '3 a -']);
      // The metaData action is in the MERGE commit itself.
      const actions = (await readFile(path.join(uri, '_delta_log', '00000000000000000001.json'), 'utf8')).trim().split('\n').map((l) => Object.keys(JSON.parse(l))[0]);
      assert.deepEqual(actions.slice(0, 2), ['commitInfo', 'metaData']);
      if (Object.keys(props).length) {
        const feed = (await (await DeltaTable.open(uri)).changes({ startingVersion: 1, endingVersion: 1 })).toArray();
        assert.deepEqual(feed.map((x) => `${x._change_type} ${x.id} ${x.label} ${x.extra}`).sort(), ['insert 4 b 40', 'update_postimage 2 b 20', 'update_preimage 2 a null']);
      }
      // A later merge without schemaMode may use the column now that it exists.
      await (await DeltaTable.open(uri)).merge(wider([1], ['c'], [10]), { on: ['id'] }).whenMatchedUpdateAll().execute();
      assert.deepEqual(await rows(uri), ['1 c 10', '2 b 20', '3 a null', '4 b 40']);
    });
  }

  it('without schemaMode, UpdateAll/InsertAll of a source column the target lacks is SCHEMA_MISMATCH naming it, and nothing is committed', async () => {
    const uri = await tempDir('dlts-merge-evo-no-');
    await writeDeltaTable(uri, idBatch([1, 2], 'a'));
    for (const clause of ['update', 'insert'] as const) {
      const b = (await DeltaTable.open(uri)).merge(wider([2, 4], ['b', 'b'], [20, 40]), { on: ['id'] });
      await assert.rejects((clause === 'update' ? b.whenMatchedUpdateAll() : b.whenNotMatchedInsertAll()).execute(), (e: Error & { code: string; hint?: string }) => {
        assert.equal(e.code, 'SCHEMA_MISMATCH');
        assert.equal(e.message, `${clause === 'update' ? 'UpdateAll' : 'InsertAll'} would write the source column(s) "extra", which the target table does not have`);
        assert.match(e.hint ?? '', /schemaMode: 'merge'/);
        return true;
      });
    }
    assert.equal((await DeltaTable.open(uri)).version, 0);
    // Explicit assignments that leave the extra column out are fine.
    const r = await (await DeltaTable.open(uri)).merge(wider([2], ['b'], [20]), { on: ['id'] }).whenMatchedUpdate({ set: { label: 'source.label' } }).execute();
    assert.equal(r.version, 1);
    assert.deepEqual(await columns(uri), ['id:long', 'label:string']);
  });

  it('an explicit assignment to a source column adds it with schemaMode, and is INVALID_ARGUMENT without', async () => {
    const uri = await tempDir('dlts-merge-evo-set-');
    await writeDeltaTable(uri, idBatch([1, 2], 'a'));
    await assert.rejects((await DeltaTable.open(uri)).merge(wider([2], ['b'], [20]), { on: ['id'] }).whenMatchedUpdate({ set: { extra: 'source.extra + 1' } }).execute(), { code: 'INVALID_ARGUMENT' });
    await (await DeltaTable.open(uri)).merge(wider([2], ['b'], [20]), { on: ['id'], schemaMode: 'merge' }).whenMatchedUpdate({ set: { extra: 'source.extra + 1' } }).execute();
    assert.deepEqual(await rows(uri), ['1 a null', '2 a 21']);
  });

  it('with schemaMode, a target column the source lacks is kept by UpdateAll and NULL for InsertAll; NOT MATCHED BY SOURCE adds nothing', async () => {
    const uri = await tempDir('dlts-merge-evo-narrow-');
    await writeDeltaTable(uri, idBatch([1, 2], 'a'));
    const narrow = tableFromArrays({ id: BigInt64Array.from([2n, 5n]), extra: Int32Array.from([7, 8]) });
    await (await DeltaTable.open(uri)).merge(narrow, { on: ['id'], schemaMode: 'merge' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    assert.deepEqual(await rows(uri), ['1 a null', '2 a 7', '5 null 8']);
    const uri2 = await tempDir('dlts-merge-evo-nmbs-');
    await writeDeltaTable(uri2, idBatch([1, 2], 'a'));
    await (await DeltaTable.open(uri2)).merge(narrow, { on: ['id'], schemaMode: 'merge' }).whenNotMatchedBySourceDelete().execute();
    assert.deepEqual(await columns(uri2), ['id:long', 'label:string']);
    assert.deepEqual(await rows(uri2), ['2 a -']);
  });
});
