import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compareUtf8, compareValues } from '../../../src/ops/read/value-order.js';

const SEED = Number(process.env.FC_SEED ?? 20261201);

/** Characters that straddle the places where UTF-16 and UTF-8 order differ. */
const edgyChar = fc.oneof(
  fc.constantFrom('a', '\u007f', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1f600}', '\u{10ffff}'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const edgyString = fc.array(edgyChar, { maxLength: 6 }).map((cs) => cs.join(''));

test('compareUtf8 orders any two strings exactly as their UTF-8 bytes', () => {
  fc.assert(
    fc.property(edgyString, edgyString, (a, b) => {
      assert.equal(compareUtf8(a, b), Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
    }),
    { seed: SEED, numRuns: 500 },
  );
  assert.equal(compareUtf8('\ue000', '\u{1f600}'), -1, 'U+E000 sorts before an astral character');
  assert.equal(compareUtf8('ab', 'a'), 1);
});

test('compareValues: NaN equals NaN and is above +Infinity; -0 equals 0; numbers and bigints compare exactly', () => {
  assert.equal(compareValues(NaN, NaN), 0);
  assert.equal(compareValues(NaN, Infinity), 1);
  assert.equal(compareValues(Infinity, NaN), -1);
  assert.equal(compareValues(NaN, 2n ** 63n), 1);
  assert.equal(compareValues(-0, 0), 0);
  assert.equal(compareValues(9007199254740993n, 9007199254740992), 1);
  assert.equal(compareValues(false, true), -1);
});
