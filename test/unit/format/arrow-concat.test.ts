import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Bool, Field, Float64, Int32, Int64, List, makeVector, Map_, Struct, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import { concatData } from '../../../src/format/arrow-concat.js';
import { dataFromValues } from '../../../src/format/data-from-values.js';
import { toPlain } from '../../../src/log/arrow-rows.js';

const stringMap = new Map_(new Field('key_value', new Struct([new Field('key', new Utf8(), false), new Field('value', new Utf8(), true)] as never), false));
const type = new Struct([
  new Field('path', new Utf8(), true), new Field('size', new Int64(), true), new Field('offset', new Int32(), true),
  new Field('ratio', new Float64(), true), new Field('dataChange', new Bool(), true), new Field('partitionValues', stringMap, true),
  new Field('features', new List(new Field('element', new Utf8(), true)), true),
  new Field('dv', new Struct([new Field('storageType', new Utf8(), true), new Field('cardinality', new Int64(), true)]), true),
]);

const row = fc.option(fc.record({
  path: fc.option(fc.string({ unit: 'grapheme' }), { nil: null }),
  size: fc.option(fc.maxSafeNat(), { nil: null }),
  offset: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
  ratio: fc.option(fc.double({ noNaN: true }), { nil: null }),
  dataChange: fc.option(fc.boolean(), { nil: null }),
  partitionValues: fc.option(fc.dictionary(fc.string(), fc.option(fc.string(), { nil: null })), { nil: null }),
  features: fc.option(fc.array(fc.option(fc.string(), { nil: null })), { nil: null }),
  dv: fc.option(fc.record({ storageType: fc.constantFrom('u', 'i', 'p'), cardinality: fc.maxSafeNat() }), { nil: null }),
}), { nil: null });

/** A part: rows, built into one array, then a slice of it (so offsets and bit offsets are non-zero). */
const part = fc.array(row, { maxLength: 20 }).chain((rows) => fc.tuple(fc.constant(rows), fc.nat(rows.length), fc.nat(rows.length))
  .map(([all, a, b]) => ({ all, from: Math.min(a, b), to: Math.max(a, b) })));

test('concatData of sliced arrays reads back exactly the rows of each slice, in order (strings, longs, doubles, bools, maps, lists, structs, nulls)', () => {
  fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
    const datas = parts.map((p) => dataFromValues(type, p.all).slice(p.from, p.to - p.from));
    const joined = makeVector(concatData(datas));
    const expected = parts.flatMap((p) => p.all.slice(p.from, p.to));
    assert.equal(joined.length, expected.length);
    assert.equal(joined.data[0]!.offset, 0);
    // -0 survives the copy; JSON would print it as 0, so compare signs apart.
    const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
    const got = [...joined].map((v) => toPlain(v) as { ratio?: number } | null);
    assert.deepEqual(plain(got), plain(expected));
    got.forEach((g, i) => assert.equal(Object.is(g?.ratio, -0), Object.is(expected[i]?.ratio, -0), `row ${i}: sign of zero`));
  }), { numRuns: 300 });
});

test('concatData of sliced flat columns keeps every value exactly: longs past 2^53, NaN and -0, astral strings, bools, nulls', () => {
  const columns: Array<[DataType, fc.Arbitrary<unknown>]> = [
    [new Int64(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
    [new Float64(), fc.double()],
    [new Utf8(), fc.string({ unit: 'binary' })],
    [new Bool(), fc.boolean()],
  ];
  for (const [type, value] of columns) {
    const slice = fc.array(fc.option(value, { nil: null }), { maxLength: 30 })
      .chain((all) => fc.tuple(fc.constant(all), fc.nat(all.length), fc.nat(all.length)).map(([, x, y]) => ({ all, from: Math.min(x, y), to: Math.max(x, y) })));
    fc.assert(fc.property(fc.array(slice, { minLength: 1, maxLength: 5 }), (parts) => {
      const datas = parts.map((p) => vectorFromArray(p.all, type as never).data[0]!.slice(p.from, p.to - p.from));
      const got = [...makeVector(concatData(datas))];
      const expected = parts.flatMap((p) => p.all.slice(p.from, p.to));
      assert.equal(got.length, expected.length);
      got.forEach((g, i) => assert.ok(Object.is(g, expected[i]), `${String(type)} row ${i}: ${String(g)} vs ${String(expected[i])}`));
    }), { numRuns: 200 });
  }
});

test('concatData refuses a type it does not copy rather than guess its layout', () => {
  const dict = vectorFromArray(['a', 'b', 'a']).data[0]!;
  assert.throws(() => concatData([dict, dict]), /does not handle Arrow type Dictionary/);
});
