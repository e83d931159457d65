import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bool, Float64, Int32, Int64, Utf8 } from 'apache-arrow';
import { checkZOrderColumns, zOrderPermutation } from '../../../src/ops/maintain/zorder.js';
import { batchOf } from '../../support/temp.js';

test('two columns on a 4x4 grid come out in Morton order (x bit first in each round)', () => {
  const cells: Array<[number, number]> = [];
  for (let y = 3; y >= 0; y--) for (let x = 3; x >= 0; x--) cells.push([x, y]);
  const b = batchOf({
    x: { type: new Int32(), values: cells.map((c) => c[0]) },
    y: { type: new Int32(), values: cells.map((c) => c[1]) },
  });
  const order = [...zOrderPermutation([b], ['x', 'y'])].map((i) => cells[i]!);
  const morton = (x: number, y: number): number => ((x & 2) << 2) | ((y & 2) << 1) | ((x & 1) << 1) | (y & 1);
  const expected = [...cells].sort((a, c) => morton(a[0], a[1]) - morton(c[0], c[1]));
  assert.deepEqual(order, expected);
  assert.deepEqual(order.slice(0, 4), [[0, 0], [0, 1], [1, 0], [1, 1]]);
});

test('one column sorts by value for every key type: negative numbers, longs, strings by prefix, booleans; nulls first', () => {
  const one = (type: Int32 | Int64 | Float64 | Utf8 | Bool, values: unknown[], expected: unknown[]): void => {
    const b = batchOf({ v: { type, values } });
    assert.deepEqual([...zOrderPermutation([b], ['v'])].map((i) => values[i]), expected);
  };
  one(new Float64(), [3.5, -0.5, null, -1e300, Infinity, 0, NaN], [null, -1e300, -0.5, 0, 3.5, Infinity, NaN]);
  one(new Int64(), [5n, -(2n ** 62n), 2n ** 62n, 0n, null], [null, -(2n ** 62n), 0n, 5n, 2n ** 62n]);
  one(new Utf8(), ['b', 'ab', '', 'abc', null, 'é'], [null, '', 'ab', 'abc', 'b', 'é']);
  one(new Bool(), [true, false, null, true], [null, false, true, true]);
});

test('rows of several batches are numbered across them', () => {
  const a = batchOf({ v: { type: new Int32(), values: [30, 10] } });
  const b = batchOf({ v: { type: new Int32(), values: [20, 0] } });
  assert.deepEqual([...zOrderPermutation([a, b], ['v'])], [3, 1, 2, 0]);
});

test('Z-order columns must be data columns of an orderable type', () => {
  const fields = [
    { name: 'p', type: 'string' as const, nullable: true, metadata: {} },
    { name: 'x', type: 'double' as const, nullable: true, metadata: {} },
    { name: 'arr', type: { type: 'array' as const, elementType: 'long' as const, containsNull: true }, nullable: true, metadata: {} },
  ];
  assert.deepEqual(checkZOrderColumns(['X'], fields, ['p']).map((f) => f.name), ['x']);
  assert.throws(() => checkZOrderColumns(['p'], fields, ['p']), /"p" is a partition column/);
  assert.throws(() => checkZOrderColumns(['arr'], fields, ['p']), /has type array, which has no order key/);
});
