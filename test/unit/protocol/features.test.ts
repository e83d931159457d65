import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeltaError } from '../../../src/errors.js';
import type { Metadata, Protocol } from '../../../src/protocol/actions.js';
import {
  checkReadSupport, checkWriteSupport, READER_FEATURES_WE_SUPPORT, requiredProtocol, validateProtocolShape, WRITER_FEATURES_WE_HONOR,
} from '../../../src/protocol/features.js';
import { serializeSchema, type StructField, type StructType } from '../../../src/protocol/schema.js';

const field = (name: string, type: StructField['type'], nullable = true, metadata: StructField['metadata'] = {}): StructField => ({ name, type, nullable, metadata });
const schema = (...fields: StructField[]): StructType => ({ type: 'struct', fields });
const PLAIN = schema(field('id', 'long'), field('name', 'string'));

function metadata(s: StructType, configuration: Record<string, string> = {}): Metadata {
  return { id: 't', format: { provider: 'parquet', options: {} }, schemaString: serializeSchema(s), partitionColumns: [], configuration };
}

function fails(fn: () => unknown, code: string, fragment: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isDeltaError(err), String(err));
    assert.equal(err.code, code);
    assert.ok(err.message.includes(fragment), `"${err.message}" should include "${fragment}"`);
    return true;
  });
}

test('the supported reader features are exactly the ones this library implements', () => {
  assert.deepEqual([...READER_FEATURES_WE_SUPPORT].sort(), [
    'columnMapping', 'deletionVectors', 'timestampNtz', 'typeWidening', 'typeWidening-preview', 'v2Checkpoint', 'vacuumProtocolCheck',
    'variantType', 'variantType-preview',
  ]);
  // Variant is read-only: checkWriteSupport refuses variant tables.
  for (const f of READER_FEATURES_WE_SUPPORT) if (!f.startsWith('variantType')) assert.ok(WRITER_FEATURES_WE_HONOR.has(f), f);
});

test('tables on reader 1, 2, or 3 with supported features can be read', () => {
  checkReadSupport({ minReaderVersion: 1, minWriterVersion: 2 });
  checkReadSupport({ minReaderVersion: 2, minWriterVersion: 5 });
  checkReadSupport({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors', 'v2Checkpoint'], writerFeatures: ['deletionVectors', 'v2Checkpoint', 'rowTracking'] });
  // Reader features listed on a lower reader version are ignored by readers.
  checkReadSupport({ minReaderVersion: 1, minWriterVersion: 7, readerFeatures: ['catalogManaged'], writerFeatures: [] });
});

test('unknown reader features and newer reader versions are UNSUPPORTED_FEATURE naming them', () => {
  fails(() => checkReadSupport({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors', 'catalogManaged', 'variantShredding'], writerFeatures: [] }),
    'UNSUPPORTED_FEATURE', 'reader features "catalogManaged", "variantShredding"');
  fails(() => checkReadSupport({ minReaderVersion: 99, minWriterVersion: 7, readerFeatures: [], writerFeatures: [] }), 'UNSUPPORTED_FEATURE', 'reader version 99');
  fails(() => checkReadSupport({ minReaderVersion: 3, minWriterVersion: 7, writerFeatures: [] }), 'CORRUPT_LOG', 'readerFeatures is missing');
});

test('writes need every writer feature honored and no use of SQL-evaluated ones', () => {
  checkWriteSupport({ minReaderVersion: 1, minWriterVersion: 2 }, metadata(schema(field('id', 'long', false))));
  checkWriteSupport({ minReaderVersion: 1, minWriterVersion: 4 }, metadata(PLAIN, { 'delta.enableChangeDataFeed': 'true' }));
  checkWriteSupport({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors', 'inCommitTimestamp', 'domainMetadata'] }, metadata(PLAIN));
  fails(() => checkWriteSupport({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['rowTracking', 'domainMetadata'] }, metadata(PLAIN)),
    'UNSUPPORTED_FEATURE', 'writer feature "rowTracking"');
  fails(() => checkWriteSupport({ minReaderVersion: 1, minWriterVersion: 3 }, metadata(PLAIN, { 'delta.constraints.positive': 'id > 0' })),
    'UNSUPPORTED_FEATURE', 'CHECK constraint "positive"');
  fails(() => checkWriteSupport({ minReaderVersion: 1, minWriterVersion: 2 }, metadata(schema(field('id', 'long', true, { 'delta.invariants': '{"expression":{"expression":"id > 0"}}' })))),
    'UNSUPPORTED_FEATURE', 'column "id" has an invariant');
  fails(() => checkWriteSupport({ minReaderVersion: 1, minWriterVersion: 4 }, metadata(schema(field('s', schema(field('g', 'long', true, { 'delta.generationExpression': '1' })))))),
    'UNSUPPORTED_FEATURE', 'column "g" is a generated column');
  fails(() => checkWriteSupport({ minReaderVersion: 1, minWriterVersion: 6 }, metadata(schema(field('id', 'long', false, { 'delta.identity.start': 1, 'delta.identity.step': 1 })))),
    'UNSUPPORTED_FEATURE', 'column "id" is an identity column');
  fails(() => checkWriteSupport({ minReaderVersion: 1, minWriterVersion: 8 }, metadata(PLAIN)), 'UNSUPPORTED_FEATURE', 'writer version 8');
  // A CHECK constraint on a table whose protocol does not include the feature is not in effect.
  checkWriteSupport({ minReaderVersion: 1, minWriterVersion: 2 }, metadata(PLAIN, { 'delta.constraints.positive': 'id > 0' }));
});

test('a plain new table needs (1,2), NOT NULL columns and appendOnly included', () => {
  assert.deepEqual(requiredProtocol(PLAIN, {}), { minReaderVersion: 1, minWriterVersion: 2 });
  assert.deepEqual(requiredProtocol(schema(field('id', 'long', false)), { 'delta.appendOnly': 'true' }), { minReaderVersion: 1, minWriterVersion: 2 });
});

test('writer-only features give (1,7) listing appendOnly and invariants too', () => {
  assert.deepEqual(requiredProtocol(PLAIN, { 'delta.enableInCommitTimestamps': 'true' }), {
    minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'inCommitTimestamp', 'invariants'],
  });
  assert.deepEqual(requiredProtocol(PLAIN, { 'delta.enableChangeDataFeed': 'TRUE', 'delta.enableRowTracking': 'true' }), {
    minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'changeDataFeed', 'domainMetadata', 'invariants', 'rowTracking'],
  });
  assert.deepEqual(requiredProtocol(PLAIN, { 'delta.minWriterVersion': '7' }), { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'invariants'] });
});

test('reader-writer features give (3,7) with both lists, every metadata-implied feature included', () => {
  // delta-rs#2882: a NOT NULL column next to timestamp_ntz must list invariants.
  assert.deepEqual(requiredProtocol(schema(field('id', 'long', false), field('t', 'timestamp_ntz')), {}), {
    minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['timestampNtz'], writerFeatures: ['appendOnly', 'invariants', 'timestampNtz'],
  });
  const nested = schema(field('m', { type: 'map', keyType: 'string', valueType: { type: 'array', elementType: 'timestamp_ntz', containsNull: true }, valueContainsNull: true }));
  assert.deepEqual(requiredProtocol(nested, { 'delta.enableDeletionVectors': 'true', 'delta.columnMapping.mode': 'name' }), {
    minReaderVersion: 3, minWriterVersion: 7,
    readerFeatures: ['columnMapping', 'deletionVectors', 'timestampNtz'],
    writerFeatures: ['appendOnly', 'columnMapping', 'deletionVectors', 'invariants', 'timestampNtz'],
  });
  assert.deepEqual(requiredProtocol(PLAIN, { 'delta.feature.v2Checkpoint': 'supported', 'delta.checkpointPolicy': 'classic' }), {
    minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['v2Checkpoint'], writerFeatures: ['appendOnly', 'invariants', 'v2Checkpoint'],
  });
  assert.deepEqual(requiredProtocol(PLAIN, { 'delta.minReaderVersion': '3' }), {
    minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [], writerFeatures: ['appendOnly', 'invariants'],
  });
});

test('computed protocols always have a valid shape', () => {
  for (const config of [{}, { 'delta.enableDeletionVectors': 'true' }, { 'delta.enableRowTracking': 'true' }, { 'delta.enableIcebergCompatV2': 'true' }]) {
    validateProtocolShape(requiredProtocol(PLAIN, config));
  }
  fails(() => requiredProtocol(PLAIN, { 'delta.minWriterVersion': '9' }), 'INVALID_ARGUMENT', 'delta.minWriterVersion=9');
});

test('protocol shape: feature lists exist exactly with reader 3 / writer 7', () => {
  const bad: Array<[Protocol, string]> = [
    [{ minReaderVersion: 3, minWriterVersion: 7, writerFeatures: [] }, 'readerFeatures is required'],
    [{ minReaderVersion: 1, minWriterVersion: 7, readerFeatures: [], writerFeatures: [] }, 'readerFeatures is only allowed'],
    [{ minReaderVersion: 1, minWriterVersion: 7 }, 'writerFeatures is required'],
    [{ minReaderVersion: 1, minWriterVersion: 2, writerFeatures: ['appendOnly'] }, 'writerFeatures is only allowed'],
    [{ minReaderVersion: 3, minWriterVersion: 5, readerFeatures: [] }, 'reader version 3 requires writer version 7'],
    [{ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: [] }, 'reader feature "deletionVectors" must also be listed'],
    [{ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'appendOnly'] }, 'lists a feature twice'],
    [{ minReaderVersion: 0, minWriterVersion: 2 }, 'minReaderVersion must be a positive integer'],
  ];
  for (const [p, fragment] of bad) fails(() => validateProtocolShape(p), 'CORRUPT_LOG', fragment);
  validateProtocolShape({ minReaderVersion: 2, minWriterVersion: 5 });
  validateProtocolShape({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [], writerFeatures: [] });
});
