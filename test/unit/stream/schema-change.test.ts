import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StructField, StructType } from '../../../src/protocol/schema.js';
import { schemaChange, unreadableWith } from '../../../src/stream/schema-change.js';

const field = (name: string, type: StructField['type'], nullable = true): StructField => ({ name, type, nullable, metadata: {} });
const struct = (...fields: StructField[]): StructType => ({ type: 'struct', fields });

const stream = struct(field('id', 'long', false), field('label', 'string'));

describe('schema checks of a streaming source', () => {
  test('an older, narrower schema is readable; a wider, retyped or newly nullable one is not', () => {
    assert.equal(unreadableWith(struct(field('id', 'long', false)), stream), undefined);
    assert.equal(unreadableWith(struct(field('ID', 'long', false), field('Label', 'string')), stream), undefined, 'names match case-insensitively');
    assert.equal(unreadableWith(struct(field('id', 'long', false), field('label', 'string'), field('x', 'integer')), stream), 'column "x" was added');
    assert.equal(unreadableWith(struct(field('id', 'integer', false)), stream), 'column "id" changed type');
    assert.match(unreadableWith(struct(field('id', 'long', true)), stream)!, /column "id" may hold nulls there/);
  });

  test('after the start any new, dropped, retyped or newly nullable column is a change; becoming non-nullable or equal is not', () => {
    assert.equal(schemaChange(stream, stream), undefined);
    assert.equal(schemaChange(struct(field('id', 'long', false), field('label', 'string', false)), stream), undefined);
    assert.equal(schemaChange(struct(field('id', 'long', false)), stream), 'column "label" was dropped');
    assert.equal(schemaChange(struct(field('id', 'long', false), field('label', 'string'), field('x', 'integer')), stream), 'column "x" was added');
    assert.equal(schemaChange(struct(field('id', 'long', false), field('label', 'binary')), stream), 'column "label" changed type');
    assert.match(schemaChange(struct(field('id', 'long', true), field('label', 'string')), stream)!, /column "id" may hold nulls/);
    const nested = struct(field('id', 'long', false), field('label', struct(field('a', 'string'))));
    const widerNested = struct(field('id', 'long', false), field('label', struct(field('a', 'string'), field('b', 'string'))));
    assert.equal(schemaChange(widerNested, nested), 'column "label" changed type', 'a nested field added is a type change');
  });
});
