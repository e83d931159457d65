import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { idBatch, tempDir } from '../support/temp.js';

/** The change feed of one version as sorted `<type> <id><label>` strings. */
async function feed(uri: string, version: number): Promise<string[]> {
  const t = await (await DeltaTable.open(uri)).changes({ startingVersion: version, endingVersion: version });
  return t.toArray().map((r) => `${r._change_type} ${r.id}${r.label}`).sort();
}

test('with delta.enableChangeDataFeed, an overwrite that rewrites part of a file writes cdc files: only the replaced rows are deletes', async () => {
  const uri = await tempDir('dlts-cdf-write-');
  await writeDeltaTable(uri, idBatch([1, 2, 3, 4, 5, 6], 'a'), { properties: { 'delta.enableChangeDataFeed': 'true' } });
  const r = await writeDeltaTable(uri, idBatch([5, 6], 'b'), { mode: 'overwrite', predicate: [['id', '>=', 5n]] });
  assert.equal(r.version, 1);
  // Rows 1-4 were rewritten into a new file unchanged: the feed must not report them.
  assert.deepEqual(await feed(uri, 1), ['delete 5a', 'delete 6a', 'insert 5b', 'insert 6b']);
  const rows = (await (await DeltaTable.open(uri)).toArrow()).toArray().map((x) => `${x.id}${x.label}`).sort();
  assert.deepEqual(rows, ['1a', '2a', '3a', '4a', '5b', '6b']);
  const cdcDir = await readdir(path.join(uri, '_change_data'));
  assert.ok(cdcDir.length > 0 && cdcDir.every((f) => /^cdc-\d{5}-[0-9a-f-]+\.c000\.snappy\.parquet$/.test(f)), cdcDir.join(', '));
});

test('without change data feed, or when whole files are replaced, no cdc files are written and the feed is inferred exactly', async () => {
  const plain = await tempDir('dlts-cdf-off-');
  await writeDeltaTable(plain, idBatch([1, 2], 'a'));
  await writeDeltaTable(plain, idBatch([2], 'b'), { mode: 'overwrite', predicate: [['id', '=', 2n]] });
  await assert.rejects(readdir(path.join(plain, '_change_data')));
  const cdf = await tempDir('dlts-cdf-whole-');
  await writeDeltaTable(cdf, idBatch([1, 2], 'a'), { properties: { 'delta.enableChangeDataFeed': 'true' } });
  await writeDeltaTable(cdf, idBatch([7], 'c'), { mode: 'overwrite' });
  assert.deepEqual(await feed(cdf, 1), ['delete 1a', 'delete 2a', 'insert 7c']);
});
