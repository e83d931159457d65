import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JsonNumber, parseLosslessJson, stringifyLosslessJson } from '../../../src/protocol/lossless-json.js';
import { parseStats } from '../../../src/protocol/stats.js';

const SEED = Number(process.env.FC_SEED ?? 20261201);

test('numbers a double cannot hold keep their source text; safe integers are plain numbers', () => {
  const v = parseLosslessJson('{"a":9007199254740993,"b":12345678901234567890.12,"c":1,"d":-0.5,"e":1E+38,"f":[2,"9007199254740993"]}');
  assert.deepEqual(v, {
    a: new JsonNumber('9007199254740993'), b: new JsonNumber('12345678901234567890.12'), c: 1,
    d: new JsonNumber('-0.5'), e: new JsonNumber('1E+38'), f: [2, '9007199254740993'],
  });
  // Without such numbers the text takes JSON.parse's path and gives the same shape.
  assert.deepEqual(parseLosslessJson('{"numRecords":3,"s":"x\\u0041","n":null,"t":true}'), { numRecords: 3, s: 'xA', n: null, t: true });
});

test('a "__proto__" key is plain data, as with JSON.parse', () => {
  const v = parseLosslessJson('{"__proto__":{"x":1.5}}') as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ['__proto__']);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
});

test('malformed JSON throws SyntaxError on both paths', () => {
  for (const bad of ['{"a":1.5', '{"a":01.5}', '{"a":1.5,}', '[1.5 2]', '{"a":.5}', '{"a":1.5} x', "{'a':1.5}"]) {
    assert.throws(() => parseLosslessJson(bad), SyntaxError, bad);
  }
});

test('stringify writes bigint and JsonNumber as their digits and refuses non-finite numbers', () => {
  assert.equal(
    stringifyLosslessJson({ a: 2n ** 63n - 1n, b: new JsonNumber('-99999999999999999999.999999999999999999'), c: undefined, d: 'x"', e: [1, null] }),
    '{"a":9223372036854775807,"b":-99999999999999999999.999999999999999999,"d":"x\\"","e":[1,null]}',
  );
  assert.throws(() => stringifyLosslessJson({ x: Infinity }), RangeError);
  assert.throws(() => stringifyLosslessJson({ x: NaN }), RangeError);
});

test('any long and any decimal text survives stringify then parse digit for digit', () => {
  const decimalText = fc.tuple(fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }), fc.integer({ min: 0, max: 38 })).map(([u, scale]) => {
    const digits = (u < 0n ? -u : u).toString().padStart(scale + 1, '0');
    return (u < 0n ? '-' : '') + (scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`);
  });
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), decimalText, (long, dec) => {
      const text = stringifyLosslessJson({ minValues: { id: long, amount: new JsonNumber(dec) } });
      const stats = parseStats(text)!;
      const id = stats.minValues!['id'];
      assert.equal(typeof id === 'number' ? BigInt(id) : BigInt((id as JsonNumber).text), long);
      const amount = stats.minValues!['amount'];
      assert.equal(typeof amount === 'number' ? String(amount) : (amount as JsonNumber).text, dec);
    }),
    { seed: SEED, numRuns: 300 },
  );
});
