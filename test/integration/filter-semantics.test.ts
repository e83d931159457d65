import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Float64, Int64, Utf8, type RecordBatch } from 'apache-arrow';
import { DeltaTable, writeDeltaTable, type Filter } from '../../src/index.js';
import { batchOfRows, type Column, type Value } from '../support/filter-model.js';
import { batchOf, tempDir } from '../support/temp.js';

/** A table with columns id (long) and `x` of the given type, one file per batch of rows. */
async function tableOf(type: Float64 | Utf8 | Int64, files: unknown[][], partitionBy: string[] = []): Promise<string> {
  const uri = await tempDir('dlts-filt-');
  let id = 0;
  for (const [i, values] of files.entries()) {
    const batch = batchOf({ id: { type: new Int64(), values: values.map(() => BigInt(id++)) }, x: { type, values } });
    await writeDeltaTable(uri, batch, { mode: i === 0 ? 'error' : 'append', partitionBy });
  }
  return uri;
}

async function idsWhere(uri: string, filter: Filter): Promise<number[]> {
  const t = await (await DeltaTable.open(uri)).toArrow({ columns: ['id'], filter });
  return [...t.getChild('id')!].map(Number).sort((a, b) => a - b);
}

async function allIds(uri: string): Promise<number[]> {
  const t = await (await DeltaTable.open(uri)).toArrow({ columns: ['id'] });
  return [...t.getChild('id')!].map(Number).sort((a, b) => a - b);
}

/** Predicate overwrite with no new rows: deletes what the predicate matches. */
async function deleteWhere(uri: string, predicate: Filter, type: Float64 | Utf8 | Int64): Promise<void> {
  const empty: RecordBatch = batchOf({ id: { type: new Int64(), values: [] }, x: { type, values: [] } });
  await writeDeltaTable(uri, empty, { mode: 'overwrite', predicate });
}

test('x = 3 on [1.5, NaN, 3] matches only 3, and a predicate overwrite x = 3 keeps the NaN row', async () => {
  const uri = await tableOf(new Float64(), [[1.5, NaN, 3]]);
  assert.deepEqual(await idsWhere(uri, [['x', '=', 3]]), [2]);
  assert.deepEqual(await idsWhere(uri, [['x', '!=', 3]]), [0, 1]);
  await deleteWhere(uri, [['x', '=', 3]], new Float64());
  assert.deepEqual(await allIds(uri), [0, 1]);
});

test('NaN as Spark orders it: NaN = NaN, NaN above +Infinity and 1e308, -0.0 = 0.0', async () => {
  const uri = await tableOf(new Float64(), [[NaN, Infinity, -Infinity, -0, 0, 1e308, null], [NaN, 2]]);
  assert.deepEqual(await idsWhere(uri, [['x', '=', NaN]]), [0, 7]);
  assert.deepEqual(await idsWhere(uri, [['x', '>', 1e308]]), [0, 1, 7]);
  assert.deepEqual(await idsWhere(uri, [['x', '>', Infinity]]), [0, 7]);
  assert.deepEqual(await idsWhere(uri, [['x', '<', NaN]]), [1, 2, 3, 4, 5, 8]);
  assert.deepEqual(await idsWhere(uri, [['x', '>=', NaN]]), [0, 7]);
  assert.deepEqual(await idsWhere(uri, [['x', '=', 0]]), [3, 4]);
  assert.deepEqual(await idsWhere(uri, [['x', '=', -0]]), [3, 4]);
  assert.deepEqual(await idsWhere(uri, [['x', 'in', [NaN, -0]]]), [0, 3, 4, 7]);
  assert.deepEqual(await idsWhere(uri, [['x', 'not in', [NaN]]]), [1, 2, 3, 4, 5, 8]);
  await deleteWhere(uri, [['x', '=', NaN]], new Float64());
  assert.deepEqual(await allIds(uri), [1, 2, 3, 4, 5, 6, 8]);
  await deleteWhere(uri, [['x', '=', 0]], new Float64());
  assert.deepEqual(await allIds(uri), [1, 2, 5, 6, 8]);
});

test('NaN and -0.0 as partition values prune like rows filter', async () => {
  const uri = await tableOf(new Float64(), [[NaN, 3], [-0, 0], [1.5, null]], ['x']);
  assert.deepEqual(await idsWhere(uri, [['x', '=', 3]]), [1]);
  assert.deepEqual(await idsWhere(uri, [['x', '=', NaN]]), [0]);
  assert.deepEqual(await idsWhere(uri, [['x', '=', 0]]), [2, 3]);
  assert.deepEqual(await idsWhere(uri, [['x', '>', 1e308]]), [0]);
  await deleteWhere(uri, [['x', '=', 3]], new Float64());
  assert.deepEqual(await allIds(uri), [0, 2, 3, 4, 5]);
});

test('null never matches a comparison: != and not in skip nulls; in (v, null) matches v; not in (v, null) matches nothing', async () => {
  const uri = await tableOf(new Int64(), [[1n, null, 2n], [3n, null]]);
  assert.deepEqual(await idsWhere(uri, [['x', '!=', 1n]]), [2, 3]);
  assert.deepEqual(await idsWhere(uri, [['x', 'not in', [1n]]]), [2, 3]);
  assert.deepEqual(await idsWhere(uri, [['x', 'in', [1n, null]]]), [0]);
  assert.deepEqual(await idsWhere(uri, [['x', 'not in', [1n, null]]]), []);
  assert.deepEqual(await idsWhere(uri, [['x', 'in', [null]]]), []);
  assert.deepEqual(await idsWhere(uri, [['x', 'in', []]]), []);
  assert.deepEqual(await idsWhere(uri, [['x', 'not in', []]]), [0, 2, 3]);
  assert.deepEqual(await idsWhere(uri, [['x', '=', null]]), [1, 4]);
  assert.deepEqual(await idsWhere(uri, [['x', '!=', null]]), [0, 2, 3]);
  await deleteWhere(uri, [['x', '!=', 1n]], new Int64());
  assert.deepEqual(await allIds(uri), [0, 1, 4], 'the null rows stay: != is unknown on them');
  await deleteWhere(uri, [['x', 'not in', [7n, null]]], new Int64());
  assert.deepEqual(await allIds(uri), [0, 1, 4], 'not in with a null deletes nothing');
});

test('null semantics hold for partition columns too', async () => {
  const uri = await tableOf(new Utf8(), [['a', null], ['b']], ['x']);
  assert.deepEqual(await idsWhere(uri, [['x', '!=', 'a']]), [2]);
  assert.deepEqual(await idsWhere(uri, [['x', 'not in', ['a']]]), [2]);
  assert.deepEqual(await idsWhere(uri, [['x', 'in', ['a', null]]]), [0]);
  assert.deepEqual(await idsWhere(uri, [['x', 'not in', ['b', null]]]), []);
});

// U+E000 is one UTF-16 unit above the surrogates of U+1F600, but below it in UTF-8 (and code point) order.
const PRIVATE = '\ue000';
const EMOJI = '\u{1f600}';

test('strings compare in UTF-8 byte order in row filters: U+E000 < U+1F600', async () => {
  const uri = await tableOf(new Utf8(), [[PRIVATE, EMOJI, 'a', '\uffff']]);
  assert.deepEqual(await idsWhere(uri, [['x', '<', EMOJI]]), [0, 2, 3]);
  assert.deepEqual(await idsWhere(uri, [['x', '>', PRIVATE]]), [1, 3]);
  assert.deepEqual(await idsWhere(uri, [['x', '>', '\uffff']]), [1]);
  assert.deepEqual(await idsWhere(uri, [['x', '>=', `${PRIVATE}`], ['x', '<=', EMOJI]]), [0, 1, 3]);
});

test('file skipping compares string stats in UTF-8 order, so a predicate overwrite removes the row it matches', async () => {
  // One file per value: its min = max is the value. In UTF-16 order the EMOJI file would be
  // skipped for x > U+E000 (the high surrogate D83D sorts below E000).
  const uri = await tableOf(new Utf8(), [[PRIVATE], [EMOJI], ['a']]);
  const stats = (await readFile(path.join(uri, '_delta_log', '00000000000000000001.json'), 'utf8'))
    .split('\n').filter((l) => l.includes('"add"')).map((l) => JSON.parse(JSON.parse(l).add.stats));
  assert.deepEqual([stats[0].minValues.x, stats[0].maxValues.x], [EMOJI, EMOJI]);
  assert.deepEqual(await idsWhere(uri, [['x', '>', PRIVATE]]), [1]);
  assert.deepEqual(await idsWhere(uri, [['x', '>=', EMOJI]]), [1]);
  assert.deepEqual(await idsWhere(uri, [['x', '<', EMOJI]]), [0, 2]);
  await deleteWhere(uri, [['x', '>', PRIVATE]], new Utf8());
  assert.deepEqual(await allIds(uri), [0, 2]);
});

test('UTF-8 order decides partition pruning, and a partition predicate overwrite removes the matching partition', async () => {
  const part = await tableOf(new Utf8(), [[PRIVATE], [EMOJI]], ['x']);
  assert.deepEqual(await idsWhere(part, [['x', '>', PRIVATE]]), [1]);
  assert.deepEqual(await idsWhere(part, [['x', '<', EMOJI]]), [0]);
  await deleteWhere(part, [['x', '>', PRIVATE]], new Utf8());
  assert.deepEqual(await allIds(part), [0]);
});

test('IS NULL and IS NOT NULL work on binary and struct columns, in reads and predicate overwrites', async () => {
  const uri = await tempDir('dlts-filt-');
  const columns: Column[] = [{ name: 'id', type: 'long' }, { name: 'b', type: 'binary' }, { name: 's', type: { struct: [{ name: 'f', type: 'integer' }] } }];
  const rows: Array<Record<string, Value>> = [
    { id: 0n, b: new Uint8Array([1]), s: { f: 1 } },
    { id: 1n, b: null, s: { f: null } },
    { id: 2n, b: new Uint8Array([]), s: null },
  ];
  await writeDeltaTable(uri, batchOfRows(columns, rows));
  assert.deepEqual(await idsWhere(uri, [['b', '=', null]]), [1]);
  assert.deepEqual(await idsWhere(uri, [['b', '!=', null]]), [0, 2]);
  assert.deepEqual(await idsWhere(uri, [['s', '=', null]]), [2]);
  assert.deepEqual(await idsWhere(uri, [[['s', '!=', null], ['b', '!=', null]]]), [0]);
  await writeDeltaTable(uri, batchOfRows(columns, []), { mode: 'overwrite', predicate: [['s', '=', null]] });
  assert.deepEqual(await allIds(uri), [0, 1]);
});
