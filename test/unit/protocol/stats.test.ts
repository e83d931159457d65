import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStats, truncateStringStat } from '../../../src/protocol/stats.js';

const MAX = '\u{10ffff}';
const ASCII_MAX = '\u007f';

test('stats parse into numRecords, bounds, null counts and tightBounds (true when absent)', () => {
  assert.deepEqual(parseStats('{"numRecords":10,"minValues":{"a":1,"s":{"x":"abc"}},"maxValues":{"a":9},"nullCount":{"a":0},"tightBounds":false}'), {
    tightBounds: false, numRecords: 10, minValues: { a: 1, s: { x: 'abc' } }, maxValues: { a: 9 }, nullCount: { a: 0 },
  });
  assert.deepEqual(parseStats('{"numRecords":50}'), { tightBounds: true, numRecords: 50 });
});

test('unusable stats are undefined or dropped piecewise, never an error', () => {
  for (const text of [undefined, '', '{', 'null', '[1]', '"x"']) assert.equal(parseStats(text), undefined, String(text));
  assert.deepEqual(parseStats('{"numRecords":-1,"minValues":[1],"maxValues":"x","nullCount":null}'), { tightBounds: true });
  assert.deepEqual(parseStats('{"numRecords":1.5}'), { tightBounds: true });
});

test('string minima are plain prefixes that never split a surrogate pair', () => {
  assert.equal(truncateStringStat('abcd', false, 3), 'abc');
  assert.equal(truncateStringStat('abcdef', false, 6), 'abcdef');
  assert.equal(truncateStringStat(MAX.repeat(4), false, 1), MAX);
  assert.equal(truncateStringStat('abcd', false, 0), undefined);
  assert.equal(truncateStringStat('x'.repeat(40), false), 'x'.repeat(32));
});

test('string maxima are rounded up with a tie-breaker, as Spark writes them', () => {
  assert.equal(truncateStringStat('abcd', true, 0), undefined);
  assert.equal(truncateStringStat(`a${MAX}d`, true, 2), `a${MAX}${ASCII_MAX}`);
  assert.equal(truncateStringStat('abcd', true, 6), 'abcd');
  assert.equal(truncateStringStat('abcd\ufffdabcd', true, 6), `abcd\ufffda${ASCII_MAX}`);
  assert.equal(truncateStringStat('abcdef\ufffd', true, 6), `abcdef${MAX}`);
  assert.equal(truncateStringStat('abcdef-abcdef\ufffd', true, 6), `abcdef${ASCII_MAX}`);
  assert.equal(truncateStringStat('漢字仮名한글தமி', true, 6), `漢字仮名한글${MAX}`);
  assert.equal(truncateStringStat('abcdef🚀', true, 6), `abcdef${MAX}`);
  assert.equal(truncateStringStat(MAX.repeat(4), true, 1), undefined);
  assert.equal(truncateStringStat(MAX.repeat(4), true, 4), MAX.repeat(4));
  assert.equal(truncateStringStat('\ufffd'.repeat(4), true, 2), `\ufffd\ufffd${MAX}`);
  assert.equal(truncateStringStat('abcdefghijklm💞😉💕\n🥀🌹💐🌺🌷🌼🌻🌷🥀', true), `abcdefghijklm💞😉💕\n🥀🌹💐🌺🌷🌼${MAX}`);
});

test('a truncated maximum is never below the value in UTF-8 byte order', () => {
  const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
  for (const value of ['z'.repeat(40), `${'a'.repeat(31)}é${'b'.repeat(5)}`, `${'a'.repeat(31)}${MAX}${MAX}c`, '🚀'.repeat(20)]) {
    const max = truncateStringStat(value, true);
    if (max !== undefined) assert.ok(Buffer.compare(utf8(max), utf8(value)) >= 0, value);
  }
});
