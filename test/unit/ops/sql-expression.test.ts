import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Float64, Int32, Int64, Utf8, Bool, DateDay, Decimal } from 'apache-arrow';
import type { StructType } from '../../../src/protocol/schema.js';
import { batchContext, compileAssignment, compileSqlPredicate, predicateMask, tableScope } from '../../../src/ops/read/expr/batch-eval.js';
import { compile } from '../../../src/ops/read/expr/compile.js';
import { parseSql } from '../../../src/ops/read/expr/parse-sql.js';
import { batchOf } from '../../support/temp.js';

const schema: StructType = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'qty', type: 'integer', nullable: true, metadata: {} },
    { name: 'price', type: 'double', nullable: true, metadata: {} },
    { name: 'name', type: 'string', nullable: true, metadata: {} },
    { name: 'ok', type: 'boolean', nullable: true, metadata: {} },
    { name: 'day', type: 'date', nullable: true, metadata: {} },
    { name: 'amount', type: 'decimal(10,2)', nullable: true, metadata: {} },
    { name: 'My Col', type: 'integer', nullable: true, metadata: {} },
  ],
};

const batch = batchOf({
  id: { type: new Int64(), values: [1n, 2n, 9007199254740993n, null] },
  qty: { type: new Int32(), values: [3, null, -5, 0] },
  price: { type: new Float64(), values: [1.5, -0, NaN, null] },
  name: { type: new Utf8(), values: ['a', 'BR', null, 'é'] },
  ok: { type: new Bool(), values: [true, false, null, true] },
  day: { type: new DateDay(), values: [new Date(Date.UTC(2020, 0, 1)), null, new Date(Date.UTC(1969, 11, 31)), new Date(Date.UTC(2024, 1, 29))] },
  amount: { type: new Decimal(2, 10, 128), values: [new Uint32Array([1234, 0, 0, 0]), null, new Uint32Array([10, 0, 0, 0]), new Uint32Array([0, 0, 0, 0])] },
  'My Col': { type: new Int32(), values: [1, 2, 3, 4] },
});

function rows(sql: string): number[] {
  const mask = predicateMask(compileSqlPredicate(sql, schema, ['t']), batchContext(batch, schema.fields));
  return [...mask.keys()].filter((i) => mask[i] === 1);
}

function values(sql: string): unknown[] {
  return compile(parseSql(sql), tableScope(schema), sql).evaluate(batchContext(batch, schema.fields));
}

function throwsExactly(fn: () => unknown, message: string, hint: string): void {
  assert.throws(fn, (err: unknown) => {
    const e = err as { code: string; message: string; hint: string };
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.equal(e.message, message);
    assert.equal(e.hint, hint);
    return true;
  });
}

describe('SQL predicates over Arrow batches', () => {
  it('AND binds tighter than OR (the parser precedence node-sql-parser gets wrong)', () => {
    assert.deepEqual(rows('qty = 3 AND id = 1 OR qty = -5 AND id = 2'), [0]);
    assert.deepEqual(rows('qty = 3 OR qty = 0 AND id = 1'), [0]);
  });

  it('three-valued logic: NULL rows never match, NOT NULL stays NULL', () => {
    assert.deepEqual(rows('qty > 0'), [0]);
    assert.deepEqual(rows('NOT (qty > 0)'), [2, 3]);
    assert.deepEqual(rows('qty > 0 OR qty IS NULL'), [0, 1]);
    assert.deepEqual(rows('NOT (qty > 0 AND ok)'), [1, 2, 3]);
    assert.deepEqual(rows('ok IS NOT TRUE'), [1, 2]);
    assert.deepEqual(rows('qty NOT IN (3, NULL)'), []);
    assert.deepEqual(rows('qty IN (3, NULL)'), [0]);
  });

  it('compares longs beyond 2^53 exactly, -0.0 equal to 0.0, decimals exactly', () => {
    assert.deepEqual(rows('id = 9007199254740993'), [2]);
    assert.deepEqual(rows('id = 9007199254740992'), []);
    assert.deepEqual(rows('price = 0.0 AND id < 3'), [1]);
    assert.deepEqual(rows('price = -0.0 AND id < 3'), [1]);
    assert.deepEqual(rows('amount = 12.34'), [0]);
    assert.deepEqual(rows('amount = 12.340'), [0]);
    assert.deepEqual(rows('amount > 0.1'), [0]);
    assert.deepEqual(rows('amount = 0.1'), [2]);
  });

  // The order of src/ops/read/value-order.ts, as filters use: NaN = NaN, NaN above +Infinity, -0.0 = 0.0.
  it('NaN equals NaN and sorts above every number, +Infinity included; -0.0 equals 0.0 (filter semantics)', () => {
    assert.deepEqual(rows('price = 0.0'), [1]);
    assert.deepEqual(rows('price = -0.0'), [1]);
    assert.deepEqual(rows("price = CAST('NaN' AS DOUBLE)"), [2]);
    assert.deepEqual(rows("price != CAST('NaN' AS DOUBLE)"), [0, 1]);
    assert.deepEqual(rows('price > 1000000'), [2]);
    assert.deepEqual(rows("price > CAST('Infinity' AS DOUBLE)"), [2]);
    assert.deepEqual(rows("price >= CAST('NaN' AS DOUBLE)"), [2]);
    assert.deepEqual(rows("price < CAST('NaN' AS DOUBLE)"), [0, 1]);
    assert.deepEqual(rows('price BETWEEN -1 AND 1000000'), [0, 1]);
    assert.deepEqual(rows("price IN (CAST('NaN' AS DOUBLE), 1.5)"), [0, 2]);
    assert.deepEqual(rows('price * 0 > 0'), [2]); // NaN * 0 is NaN, above 0; -0.0 * 0 is -0.0, equal to 0
    assert.deepEqual(rows('price * 0 = 0'), [0, 1]);
    assert.deepEqual(values("CASE WHEN price = CAST('NaN' AS DOUBLE) THEN 'nan' WHEN price > 0 THEN 'pos' ELSE 'other' END"), ['pos', 'other', 'nan', 'other']);
  });

  it('BETWEEN, IN, strings, dates, aliases and quoted names', () => {
    assert.deepEqual(rows('qty BETWEEN -5 AND 0'), [2, 3]);
    assert.deepEqual(rows('qty NOT BETWEEN -5 AND 0'), [0]);
    assert.deepEqual(rows("name IN ('a', 'BR')"), [0, 1]);
    assert.deepEqual(rows("t.name = 'BR'"), [1]);
    assert.deepEqual(rows("name = 'it''s'"), []);
    assert.deepEqual(rows("day = DATE '2024-02-29'"), [3]);
    assert.deepEqual(rows("day < '2000-01-01'"), [2]);
    assert.deepEqual(rows('`My Col` >= 3'), [2, 3]);
    assert.deepEqual(rows('"My Col" = 1'), [0]);
  });

  it('arithmetic: integer / is fractional, decimals stay exact, || concatenates, CASE and COALESCE', () => {
    assert.deepEqual(values('qty + 1'), [4, null, -4, 1]);
    assert.deepEqual(values('qty / 2'), [1.5, null, -2.5, 0]);
    assert.deepEqual(values('qty % 2'), [1, null, -1, 0]);
    assert.deepEqual(values('id * 2'), [2n, 4n, 18014398509481986n, null]);
    assert.deepEqual(values('amount + 0.005'), [12345n, null, 105n, 5n]); // decimal(12,3)
    assert.deepEqual(values("name || '!'"), ['a!', 'BR!', null, 'é!']);
    assert.deepEqual(values("CASE WHEN qty > 0 THEN 'pos' WHEN qty IS NULL THEN NULL ELSE 'other' END"), ['pos', null, 'other', 'other']);
    assert.deepEqual(values('CASE qty WHEN 3 THEN 30 WHEN 0 THEN 0 END'), [30, null, null, 0]);
    assert.deepEqual(values('COALESCE(qty, 7)'), [3, 7, -5, 0]);
    assert.deepEqual(values('COALESCE(qty, id)'), [3n, 2n, -5n, 0n]);
    assert.deepEqual(values('CAST(qty AS STRING)'), ['3', null, '-5', '0']);
    assert.deepEqual(values('CAST(amount AS STRING)'), ['12.34', null, '0.10', '0.00']);
    assert.deepEqual(values('CAST(qty AS DOUBLE) / 4'), [0.75, null, -1.25, 0]);
    assert.deepEqual(values("CAST('12.345' AS DECIMAL(5, 2))"), [1235n, 1235n, 1235n, 1235n]);
    assert.deepEqual(values('-qty'), [-3, null, 5, 0]);
  });

  it('overflow and division by zero fail with the expression named', () => {
    throwsExactly(() => values('qty / 0'), 'division by zero while evaluating "qty / 0"; nothing was written',
      'guard the expression with CASE WHEN (e.g. CASE WHEN d = 0 THEN NULL ELSE n / d END) or CAST to a wider type');
    throwsExactly(() => values('qty * 2147483647'), 'the result 6442450941 overflows integer while evaluating "qty * 2147483647"; nothing was written',
      'guard the expression with CASE WHEN (e.g. CASE WHEN d = 0 THEN NULL ELSE n / d END) or CAST to a wider type');
    throwsExactly(() => values('CAST(price AS INT)'), 'the double value NaN does not fit integer while evaluating "CAST(price AS INT)"; nothing was written',
      'guard the expression with CASE WHEN (e.g. CASE WHEN d = 0 THEN NULL ELSE n / d END) or CAST to a wider type');
  });

  it('unknown columns and type mismatches are refused at bind time, naming them', () => {
    throwsExactly(() => compileSqlPredicate('nope = 1', schema), 'column "nope" in the expression "nope = 1" is not in the table',
      'columns are: id, qty, price, name, ok, day, amount, My Col; quote names with spaces or capitals as `Name`');
    throwsExactly(() => compileSqlPredicate('s.qty = 1', schema, ['t']), 'column "s.qty" in the expression "s.qty = 1" is not in the table',
      'columns are: id, qty, price, name, ok, day, amount, My Col; quote names with spaces or capitals as `Name`');
    throwsExactly(() => compileSqlPredicate("qty = 'x'", schema), 'cannot compare integer with string in the expression "qty = \'x\'"',
      "CAST one side to the other's type, e.g. CAST(x AS STRING)");
    throwsExactly(() => compileSqlPredicate('qty + 1', schema), 'a predicate must be true or false, but qty + 1 is integer in the expression "qty + 1"',
      'compare the value, e.g. x = 1 or x IS NOT NULL');
    throwsExactly(() => compileSqlPredicate("name + 1 > 0", schema), '"+" needs numbers but got string and integer in the expression "name + 1 > 0"',
      'join strings with ||, or CAST the string to a number');
    throwsExactly(() => compileAssignment("'x'", schema.fields[1]!, tableScope(schema)),
      'the value for column "qty" is string, which does not fit its type integer in the expression "\'x\'"', "CAST the value: CAST('x' AS INT)");
    throwsExactly(() => compileSqlPredicate('qty = ', schema), 'cannot parse the SQL expression "qty = ": Unexpected end of input',
      "check quotes and operators; strings are 'single-quoted', columns with spaces `back-quoted`");
  });

  it('plain JS values in set are literals of the column type; strings are SQL', () => {
    const ctx = batchContext(batch, schema.fields);
    assert.deepEqual(compileAssignment(5, schema.fields[0]!, tableScope(schema))(ctx), [5n, 5n, 5n, 5n]);
    assert.deepEqual(compileAssignment(null, schema.fields[3]!, tableScope(schema))(ctx), [null, null, null, null]);
    assert.deepEqual(compileAssignment("'done'", schema.fields[3]!, tableScope(schema))(ctx), ['done', 'done', 'done', 'done']);
    assert.deepEqual(compileAssignment('qty', schema.fields[0]!, tableScope(schema))(ctx), [3n, null, -5n, 0n]);
  });
});
