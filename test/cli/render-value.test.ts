import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as arrow15 from 'apache-arrow-v15';
import { makeData, makeVector, TimestampMicrosecond, type Data } from 'apache-arrow';
import fc from 'fast-check';
import { cliWording } from '../../src/cli/cli-wording.js';
import { decimalText, float32Text, timestampText } from '../../src/cli/render-scalar.js';
import { formatDate as dateText } from '../../src/index.js';
import { cellJson, cellReader, cellText } from '../../src/cli/render-value.js';

// Fixed so that a failure reproduces; fast-check prints the seed and the shrunk counterexample.
const SEED = 20261201;
const DAY_MS = 86_400_000;
// JS Date's range is ±1e8 days around 1970: inside it, toISOString is an independent oracle.
const DATE_RANGE_DAYS = 100_000_000;

test('formatDate (what the CLI prints) equals Date.toISOString for every day in JS Date range (incl. years 0000-0049 and beyond 9999)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -DATE_RANGE_DAYS, max: DATE_RANGE_DAYS }), (days) => {
      assert.equal(dateText(days), new Date(days * DAY_MS).toISOString().slice(0, -'T00:00:00.000Z'.length));
    }),
    { seed: SEED, numRuns: 2000 },
  );
  assert.equal(dateText(-719_162), '0001-01-01');
  assert.equal(dateText(2_932_896), '9999-12-31');
  assert.equal(dateText(2 ** 31 - 1), '+5881580-07-11');
});

test('timestampText keeps all six microsecond digits and agrees with Date.toISOString to the millisecond', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }), (us) => {
      const text = timestampText(us, 1_000_000n);
      const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
      const iso = new Date(Number(ms)).toISOString();
      assert.equal(text.slice(0, -3), iso.slice(0, -1));
      assert.equal(text.slice(-3), String(((us % 1000n) + 1000n) % 1000n).padStart(3, '0'));
    }),
    { seed: SEED, numRuns: 2000 },
  );
  assert.equal(timestampText(-1n, 1_000_000n), '1969-12-31T23:59:59.999999');
  assert.equal(timestampText(1_704_103_200_000_000_001n, 1_000_000_000n), '2024-01-01T10:00:00.000000001');
});

test('decimalText prints every digit of the scale and reads back as the same unscaled value', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }), fc.integer({ min: 0, max: 38 }), (unscaled, scale) => {
      const text = decimalText(unscaled, scale);
      assert.equal(BigInt(text.replace('.', '')), unscaled);
      assert.equal(scale === 0 ? text.includes('.') : text.split('.')[1]!.length, scale === 0 ? false : scale);
      assert.match(text, /^-?(0|[1-9]\d*)(\.\d+)?$/);
    }),
    { seed: SEED, numRuns: 1000 },
  );
  assert.equal(decimalText(123n, 2), '1.23');
  assert.equal(decimalText(-5n, 2), '-0.05');
  assert.equal(decimalText(12n, -3), '12000');
  assert.equal(decimalText(0n, -3), '0');
});

test('float32Text is the shortest text that reads back as the same float32', () => {
  fc.assert(
    fc.property(fc.float({ noNaN: true }), (x) => {
      const text = float32Text(x);
      assert.ok(Object.is(Math.fround(Number(text)), x), `${text} does not read back as ${x}`);
    }),
    { seed: SEED, numRuns: 2000 },
  );
  assert.equal(float32Text(Math.fround(0.1)), '0.1');
});

test('cells read from another apache-arrow copy (v15 stores timestamps as 32-bit pairs) print the same', () => {
  const us = new BigInt64Array([1_704_103_200_123_456n, -1n]);
  const v15 = arrow15.makeData({ type: new arrow15.TimestampMicrosecond('UTC'), length: 2, data: us } as never);
  const own = makeData({ type: new TimestampMicrosecond('UTC'), length: 2, data: us } as never) as Data;
  const texts = (d: Data): string[] => [0, 1].map((i) => cellText(cellReader(d)(i)));
  assert.deepEqual(texts(v15 as unknown as Data), ['2024-01-01T10:00:00.123456Z', '1969-12-31T23:59:59.999999Z']);
  assert.deepEqual(texts(own), texts(v15 as unknown as Data));
});

test('JSON cells: NaN and ±Infinity become strings, -0 and long digits stay numbers, nulls are null', () => {
  const doubles = makeVector(new Float64Array([NaN, Infinity, -Infinity, -0, 1e21])).data[0]!;
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => cellJson(cellReader(doubles)(i))), ['"NaN"', '"Infinity"', '"-Infinity"', '-0', '1e+21']);
  const longs = makeVector(new BigInt64Array([2n ** 63n - 1n])).data[0]!;
  assert.equal(cellJson(cellReader(longs)(0)), '9223372036854775807');
});

test("library option names in hints become the CLI's flags", () => {
  assert.equal(
    cliWording('readers of older versions and writes in flight could lose files; pass enforceRetention: false only if none exist'),
    'readers of older versions and writes in flight could lose files; pass --no-enforce-retention only if none exist',
  );
  assert.equal(cliWording('retentionHours must be >= 0, got -1'), '--retention-hours must be >= 0, got -1');
  assert.equal(cliWording('restore with { version } or { timestamp }'), 'restore with --version N or --timestamp T');
  assert.equal(cliWording('restore an older version with table.restore({ version: 3 })'), 'restore an older version with --version N');
  assert.equal(cliWording('ask for a time between a and b, or open by version'), 'ask for a time between a and b, or pass --version N');
  assert.equal(cliWording('pass a Date or an ISO-8601 string'), 'pass --timestamp an ISO-8601 time such as 2024-01-01T00:00:00Z');
  assert.equal(cliWording('open the table again to see the new version, then retry the operation'), 'run the command again: it reads the newest version');
  assert.equal(cliWording('check the path'), 'check the path');
});
