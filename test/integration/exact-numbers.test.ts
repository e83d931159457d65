import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  DateDay, Decimal, Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, TimestampMicrosecond, vectorFromArray, type Data,
} from 'apache-arrow';
import { DeltaError, DeltaTable, writeDeltaTable, type Filter } from '../../src/index.js';
import { corpusRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

/** The raw `add.stats` texts of one commit, in file order. */
async function statsTexts(uri: string, version: number): Promise<string[]> {
  const text = await readFile(path.join(uri, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as { add?: { stats: string } }).flatMap((a) => (a.add ? [a.add.stats] : []));
}

function longBatch(ids: bigint[]): RecordBatch {
  const fields = [new Field('id', new Int64(), true)];
  const data = vectorFromArray(ids, new Int64()).data[0]!;
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: ids.length, nullCount: 0, children: [data] }));
}

/** A decimal column as a user builds one: Arrow Decimal128 words of the unscaled values. */
function decimalBatch(name: string, precision: number, scale: number, unscaled: bigint[]): RecordBatch {
  const type = new Decimal(scale, precision, 128);
  const words = new Uint32Array(unscaled.length * 4);
  unscaled.forEach((v, i) => {
    let x = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++, x >>= 32n) words[i * 4 + w] = Number(x & 0xffffffffn);
  });
  const fields = [new Field(name, type, true)];
  const child = makeData({ type, length: unscaled.length, nullCount: 0, data: words });
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: unscaled.length, nullCount: 0, children: [child] }));
}

function doubleBatch(xs: number[]): RecordBatch {
  const fields = [new Field('x', new Float64(), true)];
  const data = vectorFromArray(xs, new Float64()).data[0]!;
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: xs.length, nullCount: 0, children: [data] }));
}

async function column(uri: string, name: string, filter?: Filter): Promise<unknown[]> {
  const table = await (await DeltaTable.open(uri)).toArrow(filter ? { filter } : {});
  return [...(table.getChild(name)?.toArray() ?? [])] as unknown[];
}

function unscaledOf(data: Data, i: number): bigint {
  const words = data.values as Uint32Array;
  let v = 0n;
  for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[i * 4 + w]!);
  return BigInt.asIntN(128, v);
}

async function decimals(uri: string, name: string, filter?: Filter): Promise<bigint[]> {
  const table = await (await DeltaTable.open(uri)).toArrow(filter ? { filter } : {});
  return table.getChild(name)!.data.flatMap((d) => Array.from({ length: d.length }, (_, i) => unscaledOf(d, i)));
}

test('long statistics beyond 2^53 keep every digit, and a filter on such an id returns exactly its row (one file)', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, longBatch([1n, 9007199254740993n]));
  assert.deepEqual(await statsTexts(uri, 0), [
    '{"numRecords":2,"minValues":{"id":1},"maxValues":{"id":9007199254740993},"nullCount":{"id":0}}',
  ]);
  assert.deepEqual(await column(uri, 'id', [['id', '=', 9007199254740993n]]), [9007199254740993n]);
  assert.deepEqual(await column(uri, 'id', [['id', '>', 9007199254740992n]]), [9007199254740993n]);
  assert.deepEqual(await column(uri, 'id', [['id', '=', 9007199254740992n]]), []);
});

test('long statistics beyond 2^53 skip exactly across files: only the file holding the id is read', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, longBatch([1n]));
  await writeDeltaTable(uri, longBatch([9007199254740993n, 9223372036854775807n]), { mode: 'append' });
  assert.deepEqual(await statsTexts(uri, 1), [
    '{"numRecords":2,"minValues":{"id":9007199254740993},"maxValues":{"id":9223372036854775807},"nullCount":{"id":0}}',
  ]);
  assert.deepEqual(await column(uri, 'id', [['id', '=', 9007199254740993n]]), [9007199254740993n]);
  assert.deepEqual(await column(uri, 'id', [['id', '=', 9223372036854775807n]]), [9223372036854775807n]);
  assert.deepEqual(await column(uri, 'id', [['id', '<', 9007199254740993n]]), [1n]);
});

test('a Spark-written table whose stats hold 9223372036854775807 is filtered exactly (corpus type-widening)', async () => {
  const uri = path.join(corpusRoot, 'tables', 'type-widening');
  assert.deepEqual(await column(uri, 'byte_long', [['byte_long', '=', 9223372036854775807n]]), [9223372036854775807n]);
  assert.deepEqual(await column(uri, 'int_long', [['int_long', '>=', 9223372036854775807n]]), [9223372036854775807n]);
  assert.deepEqual(await column(uri, 'byte_long', [['byte_long', '<', 9223372036854775807n]]), [1n]);
  // Decimal stats (exact digits) and a microsecond timestamp literal, against the same files.
  assert.deepEqual(await decimals(uri, 'long_decimal', [['long_decimal', '=', '123456789012345678.9']]), [1234567890123456789n]);
  assert.deepEqual(await decimals(uri, 'long_decimal', [['long_decimal', '<', '5']]), [40n]);
  const ts = await (await DeltaTable.open(uri)).toArrow({ filter: [['date_timestamp_ntz', '=', '2024-09-09 12:34:56.123456']] });
  assert.equal(ts.numRows, 1);
});

test('decimal(38,0) and decimal(38,18) extremes are written as JSON numbers with all digits and filter exactly', async () => {
  const max38 = 10n ** 38n - 1n;
  const uri0 = await tempDir();
  await writeDeltaTable(uri0, decimalBatch('d', 38, 0, [-max38, 0n, max38]));
  assert.deepEqual(await statsTexts(uri0, 0), [
    `{"numRecords":3,"minValues":{"d":-${max38}},"maxValues":{"d":${max38}},"nullCount":{"d":0}}`,
  ]);
  assert.deepEqual(await decimals(uri0, 'd', [['d', '=', max38.toString()]]), [max38]);
  assert.deepEqual(await decimals(uri0, 'd', [['d', '>', (max38 - 1n).toString()]]), [max38]);

  const uri18 = await tempDir();
  await writeDeltaTable(uri18, decimalBatch('d', 38, 18, [-max38, 1n, max38]));
  assert.deepEqual(await statsTexts(uri18, 0), [
    '{"numRecords":3,"minValues":{"d":-99999999999999999999.999999999999999999},' +
      '"maxValues":{"d":99999999999999999999.999999999999999999},"nullCount":{"d":0}}',
  ]);
  assert.deepEqual(await decimals(uri18, 'd', [['d', '=', '0.000000000000000001']]), [1n]);
  assert.deepEqual(await decimals(uri18, 'd', [['d', '>=', '99999999999999999999.999999999999999999']]), [max38]);
});

test('a decimal with more digits than its precision is refused with the column, value and type; nothing is committed', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, decimalBatch('amount', 5, 2, [12345n]));
  await assert.rejects(writeDeltaTable(uri, decimalBatch('amount', 5, 2, [100n, 12345678n]), { mode: 'append' }), (e: unknown) => {
    assert.ok(e instanceof DeltaError);
    assert.equal(e.code, 'SCHEMA_MISMATCH');
    assert.equal(e.message, 'value 123456.78 in column "amount" does not fit decimal(5,2)');
    assert.equal(e.hint, 'round or cap "amount" to fit decimal(5,2), or write it to a table whose column is decimal(8,2)');
    return true;
  });
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, 0);
  assert.deepEqual(await decimals(uri, 'amount'), [12345n]);
  // A new table refuses the same way and is not created.
  const fresh = await tempDir();
  await assert.rejects(writeDeltaTable(fresh, decimalBatch('amount', 5, 2, [-10_000_000n])), { code: 'SCHEMA_MISMATCH', message: 'value -100000.00 in column "amount" does not fit decimal(5,2)' });
  await assert.rejects(DeltaTable.open(fresh), { code: 'TABLE_NOT_FOUND' });
});

test('an Arrow decimal of another precision is written when its values fit the column, refused by value otherwise', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, decimalBatch('amount', 5, 2, [100n]));
  await writeDeltaTable(uri, decimalBatch('amount', 10, 2, [99999n]), { mode: 'append' });
  await writeDeltaTable(uri, decimalBatch('amount', 4, 1, [-9999n]), { mode: 'append' }); // rescaled to -999.90
  assert.deepEqual((await decimals(uri, 'amount')).sort((a, b) => (a < b ? -1 : 1)), [-99990n, 100n, 99999n]);
  await assert.rejects(writeDeltaTable(uri, decimalBatch('amount', 10, 2, [100000n]), { mode: 'append' }), { code: 'SCHEMA_MISMATCH', message: 'value 1000.00 in column "amount" does not fit decimal(5,2)' });
  await assert.rejects(writeDeltaTable(uri, decimalBatch('amount', 5, 3, [1n]), { mode: 'append' }), { code: 'SCHEMA_MISMATCH' });
  assert.equal((await DeltaTable.open(uri)).version, 2);
});

test('float statistics: a file with NaN gets no maximum, infinities are left out rather than written as null', async () => {
  const withNaN = await tempDir();
  await writeDeltaTable(withNaN, doubleBatch([1.5, NaN, 3]));
  assert.deepEqual(await statsTexts(withNaN, 0), ['{"numRecords":3,"minValues":{"x":1.5},"maxValues":{},"nullCount":{"x":0}}']);
  // NaN sorts above every value, so x >= 1.5 holds for it (and the file is read).
  assert.deepEqual(await column(withNaN, 'x', [['x', '>=', 1.5]]), [1.5, NaN, 3]);
  assert.deepEqual(await column(withNaN, 'x', [['x', '<', 2]]), [1.5]);

  const uri = await tempDir();
  await writeDeltaTable(uri, doubleBatch([-Infinity, 2, Infinity]));
  await writeDeltaTable(uri, doubleBatch([0.1, -0, 1e21]), { mode: 'append' });
  assert.deepEqual(await statsTexts(uri, 0), ['{"numRecords":3,"minValues":{},"maxValues":{},"nullCount":{"x":0}}']);
  assert.deepEqual(await statsTexts(uri, 1), ['{"numRecords":3,"minValues":{"x":-0.0},"maxValues":{"x":1.0E21},"nullCount":{"x":0}}']);
  // No file that holds a matching value is skipped.
  assert.deepEqual(await column(uri, 'x', [['x', '>', 1e300]]), [Infinity]);
  assert.deepEqual(await column(uri, 'x', [['x', '<', -1e300]]), [-Infinity]);
  assert.deepEqual(await column(uri, 'x', [['x', '=', 1e21]]), [1e21]);
  assert.deepEqual((await column(uri, 'x', [['x', '<', 1]])).sort((a, b) => (a as number) - (b as number)), [-Infinity, -0, 0.1]);
});

test('a file whose foreign stats leave NaN out of a finite maximum is still read for x > max', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, doubleBatch([1.5, 3, 7]));
  // A float maximum cannot be trusted (NaN-excluding writers write a finite one for a file
  // holding NaN): with the stats saying max 3, the 7 must still be found.
  const log = path.join(uri, '_delta_log', '00000000000000000000.json');
  const text = await readFile(log, 'utf8');
  await writeFile(log, text.replace('\\"maxValues\\":{\\"x\\":7.0}', '\\"maxValues\\":{\\"x\\":3}'));
  assert.match(await readFile(log, 'utf8'), /maxValues\\":\{\\"x\\":3\}/);
  assert.deepEqual(await column(uri, 'x', [['x', '>', 5]]), [7]);
  assert.deepEqual(await column(uri, 'x', [['x', '<', 1]]), []);
});

test('dates and timestamps outside years 0001-9999 are written, their bounds left out of the stats rather than malformed', async () => {
  const uri = await tempDir();
  const dayType = new DateDay();
  const tsType = new TimestampMicrosecond('UTC');
  const days = [-719_163, 0, 2_932_897]; // 0000-12-31, 1970-01-01, 10000-01-01
  const micros = [-(2n ** 62n), 0n, 2n ** 62n]; // beyond the JS Date range both ways
  const fields = [new Field('d', dayType, true), new Field('ts', tsType, true)];
  const children = [
    makeData({ type: dayType, length: 3, nullCount: 0, data: Int32Array.from(days) }),
    makeData({ type: tsType, length: 3, nullCount: 0, data: BigInt64Array.from(micros) }),
  ];
  await writeDeltaTable(uri, new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 3, nullCount: 0, children })));
  assert.deepEqual(await statsTexts(uri, 0), ['{"numRecords":3,"minValues":{},"maxValues":{},"nullCount":{"d":0,"ts":0}}']);
  await writeDeltaTable(uri, new RecordBatch(new Schema(fields), makeData({
    type: new Struct(fields), length: 1, nullCount: 0,
    children: [makeData({ type: dayType, length: 1, nullCount: 0, data: Int32Array.from([-719_162]) }), makeData({ type: tsType, length: 1, nullCount: 0, data: BigInt64Array.from([253_402_300_799_999_999n]) })],
  })), { mode: 'append' });
  assert.deepEqual(await statsTexts(uri, 1), [
    '{"numRecords":1,"minValues":{"d":"0001-01-01","ts":"9999-12-31T23:59:59.999Z"},"maxValues":{"d":"0001-01-01","ts":"9999-12-31T23:59:59.999Z"},"nullCount":{"d":0,"ts":0}}',
  ]);
  const t = await DeltaTable.open(uri);
  assert.equal((await t.toArrow({ filter: [['d', '=', '0001-01-01']] })).numRows, 1);
  assert.equal((await t.toArrow({ filter: [['ts', '=', '9999-12-31 23:59:59.999999']] })).numRows, 1);
  assert.equal((await t.toArrow({ filter: [['ts', '>', 2n ** 61n]] })).numRows, 1);
  assert.equal((await t.toArrow({ filter: [['d', '>', '9999-12-31']] })).numRows, 1);
});

test('a table whose long stats went through a double (JavaScript writers) still finds the row beyond 2^53', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, longBatch([1n, 9007199254740993n]));
  // What JSON.stringify(Number(9007199254740993n)) wrote before stats were exact.
  const log = path.join(uri, '_delta_log', '00000000000000000000.json');
  const text = await readFile(log, 'utf8');
  await writeFile(log, text.replace('\\"maxValues\\":{\\"id\\":9007199254740993}', '\\"maxValues\\":{\\"id\\":9007199254740992}'));
  assert.match(await readFile(log, 'utf8'), /9007199254740992/);
  assert.deepEqual(await column(uri, 'id', [['id', '=', 9007199254740993n]]), [9007199254740993n]);
  assert.deepEqual(await column(uri, 'id', [['id', '>', 9007199254740992n]]), [9007199254740993n]);
});
