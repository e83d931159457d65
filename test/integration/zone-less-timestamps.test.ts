// Runs in a zone where local time is not UTC: zone-less timestamps must still mean UTC.
// Node re-reads TZ when it is assigned, so this holds for every Date below.
process.env.TZ = 'America/New_York';

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Field, Int64, makeData, RecordBatch, Schema, Struct, TimestampMicrosecond, vectorFromArray } from 'apache-arrow';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { parseDateDays, parseTimestampMicros } from '../../src/protocol/datetime.js';
import { toComparable } from '../../src/ops/read/filter.js';
import { repoRoot } from '../support/paths.js';
import { idsOf, tableWithAppends } from '../support/streams.js';
import { tempDir } from '../support/temp.js';

const ZONES = ['UTC', 'America/New_York'] as const;
const US = 1_000_000n;
const utcMicros = (iso: string, micros = 0n): bigint => BigInt(Date.UTC(...isoParts(iso))) * 1000n + micros;
function isoParts(iso: string): [number, number, number, number, number, number] {
  const [y, mo, d, h, mi, s] = iso.split(/[-T:]/).map(Number) as [number, number, number, number, number, number];
  return [y, mo - 1, d, h, mi, s];
}

/** Epoch micros by exact arithmetic, for years Date.UTC maps specially (0-99). */
function civilMicros(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, frac = 0n): bigint {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return BigInt(date.getTime()) * 1000n + frac;
}

const LITERALS: ReadonlyArray<readonly [string, bigint | undefined]> = [
  ['2024-01-01 10:00:00', utcMicros('2024-01-01T10:00:00')],
  ['2024-01-01T10:00:00', utcMicros('2024-01-01T10:00:00')],
  ['2024-01-01T10:00:00Z', utcMicros('2024-01-01T10:00:00')],
  ['2024-01-01T10:00:00+02:00', utcMicros('2024-01-01T08:00:00')],
  ['2024-01-01T10:00:00-05:30', utcMicros('2024-01-01T15:30:00')],
  ['2024-01-01 10:00:00.123456', utcMicros('2024-01-01T10:00:00', 123_456n)],
  ['2024-01-01T10:00:00.000001Z', utcMicros('2024-01-01T10:00:00', 1n)],
  ['2024-01-01 10:00:00.5', utcMicros('2024-01-01T10:00:00', 500_000n)],
  ['2024-01-01', utcMicros('2024-01-01T00:00:00')],
  ['0001-01-01 00:00:00', civilMicros(1, 1, 1)],
  ['0049-06-30 12:00:00.25', civilMicros(49, 6, 30, 12, 0, 0, 250_000n)],
  ['9999-12-31 23:59:59.999999', civilMicros(9999, 12, 31, 23, 59, 59, 999_999n)],
  ['1969-12-31T23:59:59.999999Z', -1n],
  ['2024-01-01 10:00:00.1234567', undefined], // below a microsecond: no Delta timestamp holds it
  ['2024-01-01 10:00:00.1234560', utcMicros('2024-01-01T10:00:00', 123_456n)],
  ['2024-02-30 10:00:00', undefined],
  ['2024-01-01 24:00:00', undefined],
  ['Jan 1 2024', undefined],
  ['2024-01-01T10:00:00+19:00', undefined],
  ['', undefined],
];

for (const zone of ZONES) {
  test(`timestamp literals parse to the same instant whatever TZ is (TZ=${zone})`, () => {
    process.env.TZ = zone;
    assert.equal(new Date(2024, 0, 1).getTimezoneOffset(), zone === 'UTC' ? 0 : 300, 'TZ took effect');
    for (const [text, micros] of LITERALS) assert.equal(parseTimestampMicros(text), micros, text);
    // timestamp_ntz: the wall-clock reading is the value; a zone is ignored.
    assert.equal(parseTimestampMicros('2024-01-01T10:00:00+02:00', { wallClock: true }), utcMicros('2024-01-01T10:00:00'));
    // Filter literals go through the same parser.
    assert.equal(toComparable('2024-01-01 10:00:00.123456', 'timestamp', 'ts'), utcMicros('2024-01-01T10:00:00', 123_456n));
    assert.equal(toComparable('0049-01-01', 'date', 'd'), Number(civilMicros(49, 1, 1) / (86_400n * US)));
    assert.equal(parseDateDays('2024-01-01 10:00:00'), undefined);
    assert.throws(() => toComparable('2024-01-01 10:00', 'date', 'd'), (e: unknown) => {
      assert.ok(e instanceof DeltaError);
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.equal(e.message, 'filter value "2024-01-01 10:00" is not a date for column "d"');
      assert.equal(e.hint, "write dates as 'YYYY-MM-DD' (years 0001-9999) or pass a Date");
      return true;
    });
    assert.throws(() => toComparable('yesterday', 'timestamp', 'ts'), {
      code: 'INVALID_ARGUMENT',
      message: 'filter value "yesterday" is not a timestamp for column "ts"',
      hint: "write 'YYYY-MM-DD HH:MM:SS[.ffffff]' or ISO 'YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]' (no zone means UTC), or pass a Date or a bigint of epoch microseconds",
    });
    process.env.TZ = 'America/New_York';
  });
}

function tsBatch(ids: bigint[], micros: bigint[]): RecordBatch {
  const fields = [new Field('id', new Int64(), true), new Field('ts', new TimestampMicrosecond('UTC'), true)];
  const children = [vectorFromArray(ids, new Int64()).data[0]!, makeData({ type: new TimestampMicrosecond('UTC'), length: micros.length, nullCount: 0, data: BigInt64Array.from(micros) })];
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: ids.length, nullCount: 0, children }));
}

test('a filter on a timestamp partition with a zone-less literal matches in UTC under TZ=America/New_York', async () => {
  const uri = await tempDir();
  const ten = utcMicros('2024-01-01T10:00:00');
  await writeDeltaTable(uri, tsBatch([1n, 2n, 3n], [ten, ten + 3600n * US, ten + 123_456n]), { partitionBy: ['ts'] });
  const table = await DeltaTable.open(uri);
  const ids = async (filter: Parameters<typeof table.toArrow>[0]): Promise<bigint[]> =>
    [...((await table.toArrow(filter)).getChild('id')!.toArray() as BigInt64Array)].sort((a, b) => (a < b ? -1 : 1));
  assert.deepEqual(await ids({ filter: [['ts', '=', '2024-01-01 10:00:00']] }), [1n]);
  assert.deepEqual(await ids({ filter: [['ts', '=', '2024-01-01 10:00:00.123456']] }), [3n]);
  assert.deepEqual(await ids({ filter: [['ts', '=', '2024-01-01T05:00:00-05:00']] }), [1n]);
  assert.deepEqual(await ids({ filter: [['ts', '>', '2024-01-01 10:00:00.123456']] }), [2n]);
});

test('a filter on a timestamp data column with a zone-less literal matches in UTC and keeps microseconds', async () => {
  const uri = await tempDir();
  const ten = utcMicros('2024-01-01T10:00:00');
  await writeDeltaTable(uri, tsBatch([1n, 2n], [ten + 1n, ten + 999n]));
  const t = await DeltaTable.open(uri);
  const ids = async (v: string): Promise<bigint[]> => [...((await t.toArrow({ filter: [['ts', '=', v]] })).getChild('id')!.toArray() as BigInt64Array)];
  assert.deepEqual(await ids('2024-01-01 10:00:00.000001'), [1n]);
  assert.deepEqual(await ids('2024-01-01 10:00:00.000999'), [2n]); // the stats maximum is ...00.000 widened by 999 µs
  assert.deepEqual(await ids('2024-01-01 10:00:00'), []);
});

test('time travel by a zone-less timestamp reads it as UTC under TZ=America/New_York', async () => {
  const uri = await tableWithAppends([[1], [2], [3]]);
  const log = path.join(uri, '_delta_log');
  for (let v = 0; v < 3; v++) {
    const at = new Date(Date.UTC(2024, 0, 1, 10 + v)); // versions at 10:00, 11:00, 12:00 UTC
    await utimes(path.join(log, `${String(v).padStart(20, '0')}.json`), at, at);
  }
  const versionAt = async (timestamp: string): Promise<number> => (await DeltaTable.open(uri, { timestamp })).version;
  assert.equal(await versionAt('2024-01-01 11:30:00'), 1);
  assert.equal(await versionAt('2024-01-01T11:00:00'), 1);
  assert.equal(await versionAt('2024-01-01 10:59:59.999999'), 0);
  assert.equal(await versionAt('2024-01-01T07:00:00-05:00'), 2);
  await assert.rejects(DeltaTable.open(uri, { timestamp: '01/01/2024' }), {
    code: 'INVALID_ARGUMENT',
    message: 'timestamp "01/01/2024" is not a timestamp',
    hint: "write 'YYYY-MM-DD HH:MM:SS[.ffffff]' or ISO 'YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]' (no zone means UTC), or pass a Date",
  });
  // The CLI's --timestamp goes through the same parser, in a process started under New York time.
  const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'describe', uri, '--timestamp', '2024-01-01 11:30:00', '--json'], {
    encoding: 'utf8', env: { ...process.env, TZ: 'America/New_York' },
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal((JSON.parse(cli.stdout) as { version: number }).version, 1);
  // A stream's startingTimestamp: the first commit at or after it, also zone-less = UTC.
  const drain = async (startingTimestamp: string): Promise<number[]> => {
    const out: number[] = [];
    for await (const b of DeltaTable.readStream(uri, { startingTimestamp, availableNow: true })) out.push(...idsOf(b));
    return out;
  };
  assert.deepEqual(await drain('2024-01-01 11:00:00'), [2, 3]);
  assert.deepEqual(await drain('2024-01-01 11:00:00.000001'), [3]);
});
