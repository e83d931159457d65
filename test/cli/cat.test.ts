import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  Binary, DateDay, Decimal, Field, Float64, Int32, List, makeData, makeVector, Map_, Struct, Table,
  tableFromArrays, TimestampMicrosecond, Utf8, vectorFromArray, type Vector,
} from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { repoRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

const cli = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Decimal128 vector from unscaled values (little-endian 32-bit words, two's complement). */
function decimals(precision: number, scale: number, unscaled: bigint[]): Vector {
  const words = new Uint32Array(unscaled.length * 4);
  unscaled.forEach((u, i) => {
    let x = BigInt.asUintN(128, u);
    for (let k = 0; k < 4; k++, x >>= 32n) words[i * 4 + k] = Number(x & 0xffff_ffffn);
  });
  return makeVector(makeData({ type: new Decimal(scale, precision, 128), length: unscaled.length, data: words }));
}

/** Two rows over every kind of value `cat` must print exactly. */
async function everyTypeTable(): Promise<string> {
  const uri = await tempDir('dlts-cli-cat-');
  const micros = (v: bigint[], zone: string | null): Vector =>
    makeVector(makeData({ type: new TimestampMicrosecond(zone), length: v.length, data: new BigInt64Array(v) } as never));
  await writeDeltaTable(uri, new Table({
    d: decimals(5, 2, [123n, -5n]),
    wide: decimals(38, 18, [12345678901234567890123456789012345678n, -1n]),
    day: makeVector(makeData({ type: new DateDay(), length: 2, data: new Int32Array([19_723, -719_162]) })),
    ts: micros([1_704_103_200_123_456n, -1n], 'UTC'),
    ntz: micros([1_704_103_200_123_456n, 0n], null),
    id: makeVector(new BigInt64Array([9_007_199_254_740_993n, -(2n ** 63n)])),
    x: makeVector(new Float64Array([NaN, -Infinity])),
    f: makeVector(new Float32Array([0.1, 2.5])),
    bin: vectorFromArray([new Uint8Array([0, 255, 16]), null], new Binary()),
    s: vectorFromArray([{ a: 1, b: 'x,"y"' }, null], new Struct([new Field('a', new Int32()), new Field('b', new Utf8())])),
    l: vectorFromArray([[1, null, 3], []], new List(new Field('element', new Int32(), true))),
    m: vectorFromArray([new Map([['k', 1.5]]), new Map()], new Map_<Utf8, Float64>(new Field('entries', new Struct<{ key: Utf8; value: Float64 }>([new Field('key', new Utf8(), false), new Field('value', new Float64())])))),
  }), { zonelessTimestamps: 'timestamp_ntz' });
  return uri;
}

const ROW1 = '{"d":1.23,"wide":12345678901234567890.123456789012345678,"day":"2024-01-01","ts":"2024-01-01T10:00:00.123456Z","ntz":"2024-01-01T10:00:00.123456","id":9007199254740993,"x":"NaN","f":0.1,"bin":"00ff10","s":{"a":1,"b":"x,\\"y\\""},"l":[1,null,3],"m":{"k":1.5}}';
const ROW2 = '{"d":-0.05,"wide":-0.000000000000000001,"day":"0001-01-01","ts":"1969-12-31T23:59:59.999999Z","ntz":"1970-01-01T00:00:00.000000","id":-9223372036854775808,"x":"-Infinity","f":2.5,"bin":null,"s":null,"l":[],"m":{}}';

test('cat --format json prints decimals, dates, µs timestamps, longs, binary and nested values exactly, one object per line', async () => {
  const uri = await everyTypeTable();
  const r = run('cat', uri, '--format', 'json');
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${ROW1}\n${ROW2}\n`);
});

test('cat --json prints one JSON document: an array of the same row objects', async () => {
  const uri = await everyTypeTable();
  const r = run('cat', uri, '--json');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `[\n${ROW1},\n${ROW2}\n]\n`);
  assert.equal((JSON.parse(r.stdout) as unknown[]).length, 2);
  assert.equal(run('cat', uri, '--json', '--limit', '0').stdout, '[\n]\n');
});

test('cat --format csv and the table format print the same values; nested values as JSON, null empty in CSV', async () => {
  const uri = await everyTypeTable();
  const csv = run('cat', uri, '--format', 'csv');
  assert.equal(csv.code, 0);
  assert.deepEqual(csv.stdout.split('\n'), [
    'd,wide,day,ts,ntz,id,x,f,bin,s,l,m',
    '1.23,12345678901234567890.123456789012345678,2024-01-01,2024-01-01T10:00:00.123456Z,2024-01-01T10:00:00.123456,9007199254740993,NaN,0.1,00ff10,"{""a"":1,""b"":""x,\\""y\\""""}","[1,null,3]","{""k"":1.5}"',
    '-0.05,-0.000000000000000001,0001-01-01,1969-12-31T23:59:59.999999Z,1970-01-01T00:00:00.000000,-9223372036854775808,-Infinity,2.5,,,[],{}',
    '',
  ]);
  const table = run('cat', uri, '--columns', 'd,wide,day,ts,id,bin,s');
  assert.equal(table.code, 0);
  assert.deepEqual(table.stdout.split('\n'), [
    'd      wide                                     day         ts                           id                    bin     s',
    '-----  ---------------------------------------  ----------  ---------------------------  --------------------  ------  ---------------------',
    '1.23   12345678901234567890.123456789012345678  2024-01-01  2024-01-01T10:00:00.123456Z  9007199254740993      00ff10  {"a":1,"b":"x,\\"y\\""}',
    '-0.05  -0.000000000000000001                    0001-01-01  1969-12-31T23:59:59.999999Z  -9223372036854775808  null    null',
    '',
  ]);
});

test('cat of 200k rows streams without overflowing (widths from the first 1000 rows); --limit 5 returns exactly the first 5 rows', async () => {
  const uri = await tempDir('dlts-cli-big-');
  const n = 200_000;
  await writeDeltaTable(uri, tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i) }));
  const all = run('cat', uri);
  assert.equal(all.stderr, '');
  assert.equal(all.code, 0);
  const lines = all.stdout.split('\n');
  assert.equal(lines.length, n + 3);
  assert.deepEqual([lines[0], lines[1], lines[2], lines[n + 1]], ['id', '---', '0', String(n - 1)]);
  const five = run('cat', uri, '--limit', '5', '--format', 'csv');
  assert.equal(five.code, 0);
  assert.equal(five.stdout, 'id\n0\n1\n2\n3\n4\n');
});

test('cat --limit stops reading: with a later data file deleted, --limit within the first file still succeeds', async () => {
  const uri = await tempDir('dlts-cli-pushdown-');
  await writeDeltaTable(uri, tableFromArrays({ id: new Int32Array([1, 2, 3, 4, 5, 6]) }));
  await writeDeltaTable(uri, tableFromArrays({ id: new Int32Array([7, 8, 9]) }), { mode: 'append' });
  const files = await (await DeltaTable.open(uri)).files();
  // The scan reads files in this order; the second one goes missing on disk.
  const [first, second] = files;
  await rm(path.join(uri, second!.path));
  const firstIds = first!.numRecords === 6 ? '1,2,3,4,5' : '7,8,9';
  const limited = run('cat', uri, '--limit', first!.numRecords === 6 ? '5' : '3', '--format', 'csv');
  assert.equal(limited.stderr, '');
  assert.equal(limited.code, 0);
  assert.equal(limited.stdout, `id\n${firstIds.split(',').join('\n')}\n`);
  const everything = run('cat', uri);
  assert.equal(everything.code, 1);
  assert.match(everything.stderr, /^error\[FILE_NOT_FOUND\]: /);
});

test('cat usage errors exit 2; an unknown column is INVALID_ARGUMENT with exit 1', async () => {
  const uri = await everyTypeTable();
  const both = run('cat', uri, '--json', '--format', 'csv');
  assert.equal(both.code, 2);
  assert.equal(both.stderr, 'error: give --json or --format, not both\n');
  assert.equal(both.stdout, '');
  assert.equal(run('cat', uri, '--format', 'xml').code, 2);
  assert.equal(run('cat', uri, '--limit', '-1').code, 2);
  assert.equal(run('cat', uri, '--columns', 'd,').code, 2);
  const unknown = run('cat', uri, '--columns', 'nope', '--limit', '0');
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, '');
  assert.equal(unknown.stderr, 'error[INVALID_ARGUMENT]: column "nope" is not in the table\n  hint: columns are: d, wide, day, ts, ntz, id, x, f, bin, s, l, m\n');
});
