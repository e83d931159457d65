import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Bool, Field, Int32, Int64, List, makeVector, Map_, Struct, Utf8 } from 'apache-arrow';
import { dataFromValues } from '../../../src/format/data-from-values.js';
import { toPlain } from '../../../src/log/arrow-rows.js';

const stringMap = new Map_(new Field('key_value', new Struct([new Field('key', new Utf8(), false), new Field('value', new Utf8(), true)] as never), false));
const type = new Struct([
  new Field('path', new Utf8(), true), new Field('size', new Int64(), true), new Field('offset', new Int32(), true),
  new Field('dataChange', new Bool(), true), new Field('partitionValues', stringMap, true),
  new Field('features', new List(new Field('element', new Utf8(), true)), true),
  new Field('dv', new Struct([new Field('storageType', new Utf8(), true), new Field('cardinality', new Int64(), true)]), true),
]);

const row = fc.option(fc.record({
  path: fc.option(fc.string({ unit: 'binary' }), { nil: null }),
  size: fc.option(fc.maxSafeNat(), { nil: null }),
  offset: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
  dataChange: fc.option(fc.boolean(), { nil: null }),
  partitionValues: fc.option(fc.dictionary(fc.string(), fc.option(fc.string({ unit: 'grapheme' }), { nil: null })), { nil: null }),
  features: fc.option(fc.array(fc.option(fc.string(), { nil: null })), { nil: null }),
  dv: fc.option(fc.record({ storageType: fc.constantFrom('u', 'i', 'p'), cardinality: fc.maxSafeNat() }), { nil: null }),
}), { nil: null });

test('dataFromValues builds arrays that read back exactly the values given (strings, longs, ints, bools, maps, lists, structs, nulls)', () => {
  fc.assert(fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
    const vector = makeVector(dataFromValues(type, rows));
    assert.equal(vector.length, rows.length);
    // Through JSON: fast-check's records may have a null prototype, Arrow's never do.
    const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
    assert.deepEqual(plain([...vector].map((v) => toPlain(v))), plain(rows));
  }), {
    numRuns: 300,
    // A map key "__proto__" must stay an entry, not become a prototype (found by this property).
    examples: [[[{ path: null, size: null, offset: null, dataChange: null, partitionValues: JSON.parse('{"__proto__":null}') as Record<string, string | null>, features: null, dv: null }]]],
  });
});
