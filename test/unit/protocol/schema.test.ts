import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  Binary, Bool, DataType, DateDay, DateMillisecond, Decimal, Dictionary, Field, Float16, Float32, Float64, Int16, Int32, Int64, Int8,
  LargeUtf8, List, Map_, Null, Schema, Struct, TimeMillisecond, TimestampMicrosecond, TimestampNanosecond, Uint32, Uint64, Uint8, Utf8,
} from 'apache-arrow';
import { isDeltaError } from '../../../src/errors.js';
import { parseCommitText } from '../../../src/protocol/action-codec.js';
import { findField, leafColumns, parseSchemaString, serializeSchema, type StructType } from '../../../src/protocol/schema.js';
import { arrowToDeltaSchema, deltaToArrowSchema } from '../../../src/protocol/arrow-schema.js';
import { corpusRoot } from '../../support/paths.js';

const ALL_TYPES: StructType = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: false, metadata: { comment: 'primary key' } },
    { name: 'i', type: 'integer', nullable: true, metadata: {} },
    { name: 's', type: 'short', nullable: true, metadata: {} },
    { name: 'b', type: 'byte', nullable: true, metadata: {} },
    { name: 'f', type: 'float', nullable: true, metadata: {} },
    { name: 'd', type: 'double', nullable: true, metadata: {} },
    { name: 'flag', type: 'boolean', nullable: true, metadata: {} },
    { name: 'name', type: 'string', nullable: true, metadata: { 'delta.columnMapping.id': 7, 'delta.columnMapping.physicalName': 'col-7', nested: { a: [1, 'x', null] } } },
    { name: 'bin', type: 'binary', nullable: true, metadata: {} },
    { name: 'day', type: 'date', nullable: true, metadata: {} },
    { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
    { name: 'ntz', type: 'timestamp_ntz', nullable: true, metadata: {} },
    { name: 'amount', type: 'decimal(38,6)', nullable: true, metadata: {} },
    { name: 'nothing', type: 'void', nullable: true, metadata: {} },
    {
      name: 'st', nullable: true, metadata: {},
      type: { type: 'struct', fields: [{ name: 'x', type: { type: 'array', elementType: 'integer', containsNull: false }, nullable: false, metadata: {} }] },
    },
    {
      name: 'm', nullable: true, metadata: {},
      type: { type: 'map', keyType: 'string', valueType: { type: 'map', keyType: 'integer', valueType: 'date', valueContainsNull: true }, valueContainsNull: false },
    },
  ],
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isDeltaError(err) ? err.code : String(err);
  }
  return undefined;
}

test('every schemaString in the corpus parses and re-serializes byte for byte', () => {
  let seen = 0;
  for (const table of readdirSync(path.join(corpusRoot, 'tables'))) {
    const log = path.join(corpusRoot, 'tables', table, '_delta_log');
    for (const name of readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n))) {
      let text = readFileSync(path.join(log, name), 'utf8');
      if (table === 'versions-not-contiguous') continue; // its metaData has no schema at all
      for (const a of parseCommitText(text, name)) {
        if (!('metaData' in a)) continue;
        text = a.metaData.schemaString;
        assert.equal(serializeSchema(parseSchemaString(text, name)), text, `${table}/${name}`);
        seen++;
      }
    }
  }
  assert.equal(seen, 68);
});

test('schema strings are parsed strictly', () => {
  assert.equal(codeOf(() => parseSchemaString('{"type":"struct"', 'v1')), 'CORRUPT_LOG');
  assert.equal(codeOf(() => parseSchemaString('"string"', 'v1')), 'CORRUPT_LOG');
  assert.equal(codeOf(() => parseSchemaString('{"type":"struct","fields":[{"name":"a","type":"long","metadata":{}}]}', 'v1')), 'CORRUPT_LOG');
  assert.equal(codeOf(() => parseSchemaString('{"type":"struct","fields":[{"name":"a","type":{"type":"array","elementType":"long"},"nullable":true}]}', 'v1')), 'CORRUPT_LOG');
  assert.equal(codeOf(() => parseSchemaString('{"type":"struct","fields":[{"name":"a","type":"decimal(40,2)","nullable":true}]}', 'v1')), 'CORRUPT_LOG');
  assert.equal(codeOf(() => parseSchemaString('{"type":"struct","fields":[{"name":"a","type":"geometry(OGC:CRS84)","nullable":true}]}', 'v1')), 'UNSUPPORTED_FEATURE');
  assert.throws(() => parseSchemaString('{"type":"struct","fields":[{"name":"Id","type":"long","nullable":true},{"name":"id","type":"long","nullable":true}]}', 'metaData of version 3'),
    (err: unknown) => isDeltaError(err, 'CORRUPT_LOG') && err.message === 'metaData of version 3: schema: column name "id" appears twice (names are case-insensitive)');
});

test('fields without metadata default to {} and decimal spellings are normalized', () => {
  const schema = parseSchemaString('{"type":"struct","fields":[{"name":"a","type":"decimal( 5 , 2 )","nullable":true},{"name":"b","type":"decimal","nullable":false}]}', 'v');
  assert.deepEqual(schema, {
    type: 'struct',
    fields: [
      { name: 'a', type: 'decimal(5,2)', nullable: true, metadata: {} },
      { name: 'b', type: 'decimal(10,0)', nullable: false, metadata: {} },
    ],
  });
});

test('Delta types map to the Arrow types of API.md', () => {
  const arrow = deltaToArrowSchema(ALL_TYPES);
  const type = (name: string): DataType => arrow.fields.find((f) => f.name === name)!.type as DataType;
  assert.ok(type('id') instanceof Int64 && type('i') instanceof Int32 && type('s') instanceof Int16 && type('b') instanceof Int8);
  assert.ok(type('f') instanceof Float32 && type('d') instanceof Float64 && type('flag') instanceof Bool);
  assert.ok(type('name') instanceof Utf8 && type('bin') instanceof Binary && type('day') instanceof DateDay && type('nothing') instanceof Null);
  assert.equal(String(type('ts')), 'Timestamp<MICROSECOND, UTC>');
  assert.equal((type('ntz') as TimestampMicrosecond).timezone ?? null, null);
  const dec = type('amount') as Decimal;
  assert.deepEqual([dec.precision, dec.scale, dec.bitWidth], [38, 6, 128]);
  assert.equal(arrow.fields[0]!.nullable, false);
  assert.deepEqual([...arrow.fields[0]!.metadata], [['comment', '"primary key"']]);
  assert.deepEqual([...arrow.fields[7]!.metadata], [
    ['delta.columnMapping.id', '7'], ['delta.columnMapping.physicalName', '"col-7"'], ['nested', '{"a":[1,"x",null]}'],
  ]);
  const list = (type('st') as Struct).children[0]!;
  assert.equal(list.nullable, false);
  assert.equal((list.type as List).children[0]!.name, 'element');
  assert.equal((list.type as List).children[0]!.nullable, false);
  const map = type('m') as Map_;
  const entries = map.children[0]!;
  assert.equal(entries.name, 'entries');
  assert.equal(entries.nullable, false);
  assert.deepEqual(entries.type.children.map((c: Field) => [c.name, c.nullable]), [['key', false], ['value', false]]);
  assert.equal(map.keysSorted, false);
});

test('Delta -> Arrow -> Delta is exact, metadata included', () => {
  assert.deepEqual(arrowToDeltaSchema(deltaToArrowSchema(ALL_TYPES)), ALL_TYPES);
});

test('Arrow types without a Delta twin widen to the nearest Delta type', () => {
  const schema = new Schema([
    new Field('u8', new Uint8()), new Field('u32', new Uint32()), new Field('large', new LargeUtf8()),
    new Field('half', new Float16()), new Field('nanos', new TimestampNanosecond()), new Field('nanosUtc', new TimestampNanosecond('Europe/Paris')),
    new Field('ms', new DateMillisecond()), new Field('dict', new Dictionary(new Utf8(), new Int32())),
    new Field('small', new Decimal(2, 9, 64)), new Field('plain', new Utf8(), true, new Map([['note', 'not json']])),
  ]);
  assert.deepEqual(arrowToDeltaSchema(schema).fields.map((f) => [f.name, f.type]), [
    ['u8', 'short'], ['u32', 'long'], ['large', 'string'], ['half', 'float'], ['nanos', 'timestamp_ntz'], ['nanosUtc', 'timestamp'],
    ['ms', 'date'], ['dict', 'string'], ['small', 'decimal(9,2)'], ['plain', 'string'],
  ]);
  assert.deepEqual(arrowToDeltaSchema(schema).fields[9]!.metadata, { note: 'not json' });
});

test('Arrow types Delta cannot store are INVALID_ARGUMENT naming the column', () => {
  for (const type of [new Uint64(), new TimeMillisecond()]) {
    assert.throws(() => arrowToDeltaSchema(new Schema([new Field('s', new Struct([new Field('x', type)]))])),
      (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT') && err.message.startsWith('column "s.x" has Arrow type'));
  }
});

test('findField prefers the exact name, then matches case-insensitively', () => {
  const schema: StructType = { type: 'struct', fields: [
    { name: 'ID', type: 'long', nullable: true, metadata: {} },
    { name: 'id', type: 'string', nullable: true, metadata: {} },
    { name: 'Name', type: 'string', nullable: true, metadata: {} },
  ] };
  assert.equal(findField(schema, 'id')!.type, 'string');
  assert.equal(findField(schema, 'ID')!.type, 'long');
  assert.equal(findField(schema, 'NAME')!.name, 'Name');
  assert.equal(findField(schema, 'missing'), undefined);
});

test('leafColumns lists non-struct fields depth first with their paths', () => {
  assert.deepEqual(leafColumns(ALL_TYPES).slice(12).map((l) => l.path), [['amount'], ['nothing'], ['st', 'x'], ['m']]);
  assert.equal(leafColumns(ALL_TYPES).length, 16);
});
