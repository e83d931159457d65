import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, vectorFromArray } from 'apache-arrow';
import { FileStatsCollector } from '../../../src/ops/write/file-stats.js';
import { fileMayMatch } from '../../../src/ops/read/file-skipping.js';
import { bindFilter, type Filter } from '../../../src/ops/read/filter.js';
import { statValue } from '../../../src/ops/read/stat-bounds.js';
import { formatDateStat, formatTimestampStat } from '../../../src/protocol/datetime.js';
import { JsonNumber } from '../../../src/protocol/lossless-json.js';
import type { StructType } from '../../../src/protocol/schema.js';
import { parseStats } from '../../../src/protocol/stats.js';

const SEED = Number(process.env.FC_SEED ?? 20261201);
const n = (text: string): JsonNumber => new JsonNumber(text);

test('long and decimal bounds are exact; a fraction rounds outward', () => {
  assert.equal(statValue(n('9223372036854775807'), 'long', true), 9223372036854775807n);
  assert.equal(statValue(5, 'long', false), 5n);
  assert.equal(statValue(n('2.5'), 'long', false), 2n);
  assert.equal(statValue(n('2.5'), 'long', true), 3n);
  assert.equal(statValue(n('-2.5'), 'integer', false), -3);
  assert.equal(statValue(n('12345678901234567890.12'), 'decimal(22,2)', false), 1234567890123456789012n);
  assert.equal(statValue(n('-3.1661E-8'), 'decimal(15,12)', false), -31661n); // Spark's BigDecimal text
  assert.equal(statValue(n('0E-10'), 'decimal(20,10)', true), 0n);
  assert.equal(statValue(4, 'decimal(20,1)', true), 40n); // a file written before int -> decimal widening
  assert.equal(statValue(n('1.005'), 'decimal(5,2)', false), 100n);
  assert.equal(statValue(n('1.005'), 'decimal(5,2)', true), 101n);
  assert.equal(statValue('1.5', 'decimal(5,2)', true), undefined);
});

test('a text that may be a double rendering of a wider value is widened by the double rounding', () => {
  // 9223372036854776000 is what JSON.stringify(Number(2n**63n-1n)) writes: not exact, so widened.
  assert.equal(statValue(n('9223372036854776000'), 'long', true), 9223372036854776000n + 4096n);
  assert.equal(statValue(n('9007199254740992'), 'long', false), 9007199254740992n - 4n); // an integral double
  // Digits no double prints are exact.
  assert.equal(statValue(n('9007199254740993'), 'long', false), 9007199254740993n);
  assert.equal(statValue(n('9223372036854775807'), 'long', true), 9223372036854775807n);
  // A decimal with a precision beyond a double's written in 17 digits or fewer: widened too.
  assert.equal(statValue(n('0.1'), 'decimal(38,18)', true), 100000000000000044n);
  // Digits that are not the shortest text of their double: taken as exact.
  assert.equal(statValue(n('0.100000000000000005'), 'decimal(38,18)', true), 100000000000000005n);
  assert.equal(statValue(n('0.1'), 'decimal(15,2)', true), 10n);
});

test('float bounds: a minimum is used (NaN and Spark strings handled), a maximum never', () => {
  assert.equal(statValue(1.5, 'double', false), 1.5);
  assert.equal(statValue(n('1.5'), 'double', true), undefined);
  assert.equal(statValue('NaN', 'double', false), undefined);
  assert.equal(statValue('-Infinity', 'double', false), -Infinity);
  assert.equal(statValue('Infinity', 'float', false), Infinity);
  assert.equal(statValue(n('0.7'), 'float', false), Math.fround(0.7));
  // A double column may hold files written while it was float: 0.7f is below 0.7.
  assert.equal(statValue(n('0.7'), 'double', false), Math.fround(0.7));
  assert.equal(statValue(n('0.5'), 'double', false), 0.5);
});

test('date and timestamp bounds parse offsets, widen maxima by 999 µs, and take date stats of widened columns', () => {
  assert.equal(statValue('2000-01-01T00:00:00.000-08:00', 'timestamp', false), BigInt(Date.UTC(2000, 0, 1, 8)) * 1000n);
  assert.equal(statValue('2021-11-18T02:30:00.123', 'timestamp_ntz', true), BigInt(Date.UTC(2021, 10, 18, 2, 30, 0, 123)) * 1000n + 999n);
  assert.equal(statValue('2024-09-09', 'timestamp_ntz', false), BigInt(Date.UTC(2024, 8, 9)) * 1000n);
  assert.equal(statValue('9999-12-31', 'date', true), 2_932_896);
  assert.equal(statValue('not a date', 'date', true), undefined);
});

test('date and timestamp stats are written only for years 0001-9999, never malformed', () => {
  assert.equal(formatDateStat(-719_162), '0001-01-01');
  assert.equal(formatDateStat(-719_163), undefined); // 0000-12-31
  assert.equal(formatDateStat(2_932_896), '9999-12-31');
  assert.equal(formatDateStat(2_932_897), undefined); // 10000-01-01
  assert.equal(formatTimestampStat(-62_135_596_800_000_000n, false), '0001-01-01T00:00:00.000Z');
  assert.equal(formatTimestampStat(-62_135_596_800_000_001n, false), undefined);
  assert.equal(formatTimestampStat(253_402_300_799_999_999n, true), '9999-12-31T23:59:59.999');
  assert.equal(formatTimestampStat(2n ** 63n - 1n, false), undefined); // beyond the JS Date range
  assert.equal(formatTimestampStat(-1n, false), '1969-12-31T23:59:59.999Z'); // cut down, not rounded
});

const longSchema: StructType = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] };

function statsOfLongs(ids: bigint[]): string {
  const fields = [new Field('id', new Int64(), true)];
  const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: ids.length, nullCount: 0, children: [vectorFromArray(ids, new Int64()).data[0]!] }));
  const c = new FileStatsCollector(longSchema.fields, (f) => f.name, -1);
  c.add(batch);
  return c.toJson();
}

function mayMatch(statsJson: string, filter: Filter, schema = longSchema): boolean {
  const stats = parseStats(statsJson);
  return fileMayMatch(bindFilter(filter, schema), { partitionValue: () => undefined, statsKey: (c) => c, stats: () => stats });
}

test('written long stats are exact bounds: a file is skipped exactly when no id can match', () => {
  const long = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
  const near53 = fc.bigInt({ min: 2n ** 53n - 4n, max: 2n ** 53n + 4n });
  const id = fc.oneof(long, near53, near53.map((v) => -v));
  fc.assert(
    fc.property(fc.array(id, { minLength: 1, maxLength: 5 }), id, (ids, probe) => {
      const json = statsOfLongs(ids);
      const min = ids.reduce((a, b) => (b < a ? b : a));
      const max = ids.reduce((a, b) => (b > a ? b : a));
      assert.match(json, new RegExp(`"minValues":\\{"id":${min}\\},"maxValues":\\{"id":${max}\\}`));
      const inFile = ids.includes(probe);
      if (inFile) assert.ok(mayMatch(json, [['id', '=', probe]]), 'never skipped for an id it holds');
      // Exact unless a bound is a text a double printer gives (then it is widened, see stat-bounds.ts).
      const printable = (v: bigint): boolean => (v >= 2n ** 53n || v <= -(2n ** 53n)) && (BigInt(Number(v)) === v || String(Number(v)) === String(v));
      if (printable(min) || printable(max)) return;
      assert.equal(mayMatch(json, [['id', '=', probe]]), probe >= min && probe <= max);
      assert.equal(mayMatch(json, [['id', '>', probe]]), max > probe);
      assert.equal(mayMatch(json, [['id', '<', probe]]), min < probe);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('a file holding NaN or infinities is never skipped for a value it holds', () => {
  const schema: StructType = { type: 'struct', fields: [{ name: 'x', type: 'double', nullable: true, metadata: {} }] };
  const value = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0));
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 5 }), fc.nat(4), (xs, pick) => {
      const fields = [new Field('x', new Float64(), true)];
      const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: xs.length, nullCount: 0, children: [vectorFromArray(xs, new Float64()).data[0]!] }));
      const c = new FileStatsCollector(schema.fields, (f) => f.name, -1);
      c.add(batch);
      const json = c.toJson();
      assert.doesNotMatch(json, /:null|NaN|Infinity/);
      const held = xs[pick % xs.length]!;
      // NaN sorts above every value: a file holding it may match >= and > of anything below.
      for (const op of ['>=', '<='] as const) {
        const holds = Number.isNaN(held) ? op === '>=' : true;
        if (holds) assert.ok(mayMatch(json, [['x', op, Number.isNaN(held) ? 1e308 : held]], schema), `${json} ${op} ${held}`);
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('an IN list of any length (long ones are binary-searched) keeps a file exactly when one value lies within its min/max', () => {
  const v = fc.integer({ min: -50, max: 50 });
  fc.assert(
    fc.property(fc.array(v, { minLength: 1, maxLength: 5 }), fc.array(v, { minLength: 1, maxLength: 60 }), (ids, list) => {
      const min = Math.min(...ids);
      const max = Math.max(...ids);
      const expected = list.some((x) => x >= min && x <= max);
      assert.equal(mayMatch(statsOfLongs(ids.map(BigInt)), [['id', 'in', list.map(BigInt)]]), expected, `[${min}, ${max}] vs ${list.join(',')}`);
    }),
    { seed: SEED, numRuns: 500 },
  );
});
