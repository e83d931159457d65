import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isDeltaError } from '../../../src/errors.js';
import { parseCommitText } from '../../../src/protocol/action-codec.js';
import { parseSchemaString, type StructField, type StructType } from '../../../src/protocol/schema.js';
import { deltaToArrowSchema } from '../../../src/protocol/arrow-schema.js';
import { columnMappingMode, dropColumnMappingMetadata, fieldId, physicalName, toPhysicalSchema } from '../../../src/protocol/column-mapping.js';
import { corpusRoot } from '../../support/paths.js';

function mapped(name: string, id: number, type: StructField['type'] = 'integer'): StructField {
  return { name, type, nullable: true, metadata: { 'delta.columnMapping.id': id, 'delta.columnMapping.physicalName': `col-${id}` } };
}

const SCHEMA: StructType = {
  type: 'struct',
  fields: [
    mapped('a', 1),
    mapped('s', 2, { type: 'struct', fields: [mapped('inner', 3)] }),
    mapped('arr', 4, { type: 'array', elementType: { type: 'struct', fields: [mapped('e', 5)] }, containsNull: true }),
    mapped('m', 6, { type: 'map', keyType: 'string', valueType: { type: 'struct', fields: [mapped('v', 7)] }, valueContainsNull: true }),
  ],
};

test('the column mapping mode comes from delta.columnMapping.mode, none by default', () => {
  assert.equal(columnMappingMode({}), 'none');
  assert.equal(columnMappingMode({ 'delta.columnMapping.mode': 'name' }), 'name');
  assert.equal(columnMappingMode({ 'delta.columnMapping.mode': 'ID' }), 'id');
  assert.throws(() => columnMappingMode({ 'delta.columnMapping.mode': 'fancy' }), (err: unknown) => isDeltaError(err, 'UNSUPPORTED_FEATURE'));
});

test('physical names and ids come from field metadata; none mode keeps logical names', () => {
  const f = SCHEMA.fields[0]!;
  assert.equal(physicalName(f, 'name'), 'col-1');
  assert.equal(physicalName(f, 'id'), 'col-1');
  assert.equal(physicalName(f, 'none'), 'a');
  assert.equal(physicalName(f), 'col-1');
  assert.equal(fieldId(f), 1);
  const plain: StructField = { name: 'x', type: 'long', nullable: true, metadata: {} };
  assert.equal(physicalName(plain), 'x');
  assert.equal(fieldId(plain), undefined);
  assert.throws(() => physicalName(plain, 'name'), (err: unknown) => isDeltaError(err, 'CORRUPT_LOG'));
});

test('the physical schema renames nested fields and carries field ids into Arrow', () => {
  const physical = toPhysicalSchema(SCHEMA, 'name');
  const names = (t: StructType): unknown => t.fields.map((f) => [f.name, f.metadata['parquet.field.id']]);
  assert.deepEqual(names(physical), [['col-1', 1], ['col-2', 2], ['col-4', 4], ['col-6', 6]]);
  const s = physical.fields[1]!.type as StructType;
  assert.deepEqual(names(s), [['col-3', 3]]);
  const arr = physical.fields[2]!.type as { elementType: StructType };
  assert.deepEqual(names(arr.elementType), [['col-5', 5]]);
  const m = physical.fields[3]!.type as { valueType: StructType };
  assert.deepEqual(names(m.valueType), [['col-7', 7]]);
  const arrow = deltaToArrowSchema(physical);
  assert.equal(arrow.fields[0]!.name, 'col-1');
  assert.equal(arrow.fields[0]!.metadata.get('PARQUET:field_id'), '1');
  assert.equal(toPhysicalSchema(SCHEMA, 'none'), SCHEMA);
});

test('column mapping metadata can be dropped for a new table', () => {
  const dropped = dropColumnMappingMetadata(toPhysicalSchema(SCHEMA, 'id'));
  assert.deepEqual(dropped.fields[1]!.metadata, {});
  assert.deepEqual((dropped.fields[1]!.type as StructType).fields[0]!.metadata, {});
});

test('a Spark column-mapped table resolves physical names for every column', () => {
  const text = readFileSync(path.join(corpusRoot, 'tables/table-with-columnmapping-mode-name/_delta_log/00000000000000000000.json'), 'utf8');
  const meta = parseCommitText(text, 'v0').flatMap((a) => ('metaData' in a ? [a.metaData] : []))[0]!;
  const mode = columnMappingMode(meta.configuration);
  assert.equal(mode, 'name');
  const schema = parseSchemaString(meta.schemaString, 'v0');
  for (const f of toPhysicalSchema(schema, mode).fields) assert.match(f.name, /^col-[0-9a-f-]{36}$/);
});
