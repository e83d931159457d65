import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable } from '../../src/index.js';
import { loadDeletedRows } from '../../src/ops/read/deletion-vectors.js';
import { corpusRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

async function values(uri: string, column: string, version?: number): Promise<number[]> {
  const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
  return (await t.toArrow()).toArray().map((r) => r[column] as number).sort((a, b) => a - b);
}

test('deleting further from a Spark table with deletion vectors combines our DV with Spark\'s', async () => {
  const uri = await tempDir('dlts-del-spark-dv-');
  await cp(path.join(corpusRoot, 'tables', 'table-with-dv-small'), uri, { recursive: true });
  const before = await DeltaTable.open(uri);
  const sparkDv = before.snapshot.files[0]!.add.deletionVector!;
  const sparkRows = [...(await loadDeletedRows(before.snapshot.store, sparkDv, before.snapshot.files[0]!.path))];
  const r = await before.delete('value % 2 = 0');
  assert.deepEqual([r.numDeletedRows, r.numDeletionVectorsAdded, r.numDeletionVectorsRemoved, r.numDeletionVectorsUpdated], [4, 1, 1, 1]);
  assert.deepEqual(await values(uri, 'value'), [1, 3, 5, 7]);
  assert.deepEqual(await values(uri, 'value', before.version), [1, 2, 3, 4, 5, 6, 7, 8]);
  const after = await DeltaTable.open(uri);
  const ours = after.snapshot.files[0]!.add.deletionVector!;
  const ourRows = [...(await loadDeletedRows(after.snapshot.store, ours, after.snapshot.files[0]!.path))];
  // The new DV is a superset of Spark's: its rows plus the four even values' rows.
  assert.ok(sparkRows.every((x) => ourRows.includes(x)));
  assert.equal(ourRows.length, sparkRows.length + 4);
});

test('a partitioned Spark DV table with a checkpoint: partition and data predicates delete exactly', async () => {
  const uri = await tempDir('dlts-del-spark-dvp-');
  await cp(path.join(corpusRoot, 'tables', 'dv-partitioned-with-checkpoint'), uri, { recursive: true });
  const t = await DeltaTable.open(uri);
  const all = (await t.toArrow()).toArray().map((r) => `${r.part}/${r.col1}/${r.col2}`).sort();
  const r = await t.delete("part = 8 OR (col1 > 40 AND col2 = 'foo1')");
  const expected = all.filter((s) => {
    const [part, col1, col2] = s.split('/');
    return !(part === '8' || (Number(col1) > 40 && col2 === 'foo1'));
  });
  assert.equal(r.numDeletedRows, all.length - expected.length);
  const now = (await (await DeltaTable.open(uri)).toArrow()).toArray().map((x) => `${x.part}/${x.col1}/${x.col2}`).sort();
  assert.deepEqual(now, expected);
});
