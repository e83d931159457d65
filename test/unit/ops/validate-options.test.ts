import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeltaError } from '../../../src/errors.js';
import { checkOptions, nearestKey } from '../../../src/ops/write/option-rules.js';
import { validateCreateOptions, validateReadStreamOptions, validateRestoreTarget, validateWriteOptions } from '../../../src/ops/write/validate-options.js';

function refusal(run: () => void): DeltaError {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof DeltaError, String(e));
    assert.equal(e.code, 'INVALID_ARGUMENT');
    return e;
  }
  assert.fail('expected INVALID_ARGUMENT');
}

test('valid write options pass, undefined fields count as absent, unrelated extra keys pass', () => {
  validateWriteOptions(undefined);
  validateWriteOptions({});
  validateWriteOptions({ mode: 'overwrite', schemaMode: 'overwrite', partitionBy: ['a'], compression: 'zstd', targetFileSizeBytes: 1, properties: { k: 'v' }, predicate: [['a', '=', 1]] });
  validateWriteOptions({ mode: undefined, compression: undefined, somethingElseEntirely: 1 });
});

test('each typed write option names itself, the value and the allowed values', () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ mode: 'overwirte' }, "writeDeltaTable: option mode is 'overwirte'; allowed: 'error', 'append', 'overwrite', 'ignore'", "did you mean 'overwrite'?"],
    [{ mode: 'upsert' }, "writeDeltaTable: option mode is 'upsert'; allowed: 'error', 'append', 'overwrite', 'ignore'", "pass one of 'error', 'append', 'overwrite', 'ignore' as mode, or leave it out for the default"],
    [{ mode: 3 }, "writeDeltaTable: option mode is 3; allowed: 'error', 'append', 'overwrite', 'ignore'", "pass one of 'error', 'append', 'overwrite', 'ignore' as mode, or leave it out for the default"],
    [{ schemaMode: 'merg' }, "writeDeltaTable: option schemaMode is 'merg'; allowed: 'merge', 'overwrite'", "did you mean 'merge'?"],
    [{ targetFileSizeBytes: -1 }, 'writeDeltaTable: option targetFileSizeBytes is -1; allowed: a positive integer', 'pass a positive integer as targetFileSizeBytes, or leave targetFileSizeBytes out for its default'],
    [{ targetFileSizeBytes: Infinity }, 'writeDeltaTable: option targetFileSizeBytes is Infinity; allowed: a positive integer', 'pass a positive integer as targetFileSizeBytes, or leave targetFileSizeBytes out for its default'],
    [{ partitionBy: ['a', ''] }, 'writeDeltaTable: option partitionBy is an array; allowed: an array of column names (non-empty strings)', 'pass an array of column names (non-empty strings) as partitionBy, or leave partitionBy out for its default'],
    [{ Mode: 'append' }, 'writeDeltaTable: unknown option "Mode"', 'did you mean "mode"?'],
    [{ schema_mode: 'merge' }, 'writeDeltaTable: unknown option "schema_mode"', 'did you mean "schemaMode"?'],
  ];
  for (const [opts, message, hint] of cases) {
    const e = refusal(() => validateWriteOptions(opts));
    assert.equal(e.message, message);
    assert.equal(e.hint, hint);
  }
  assert.equal(refusal(() => validateWriteOptions('append')).message, "writeDeltaTable: options must be an object, got 'append'");
  assert.equal(refusal(() => validateWriteOptions(null)).message, 'writeDeltaTable: options must be an object, got null');
  assert.equal(refusal(() => validateWriteOptions({ appTransaction: { appId: 'x' } })).message, 'writeDeltaTable appTransaction: option version is required');
});

test('create needs an Arrow schema; restore exactly one target; readStream either a version or latest', () => {
  assert.equal(refusal(() => validateCreateOptions({})).message, 'DeltaTable.create: option schema is required');
  assert.equal(refusal(() => validateCreateOptions({ schema: { id: 'long' } })).message, 'DeltaTable.create: option schema is an object, not an Arrow Schema');
  assert.match(refusal(() => validateRestoreTarget({ version: 1, timestamp: '2024-01-01' })).message, /exactly one of version and timestamp/);
  validateRestoreTarget({ timestamp: new Date(0) });
  assert.equal(refusal(() => validateRestoreTarget({ timestamp: new Date(NaN) })).message, 'restore: option timestamp is Date(Invalid); allowed: a Date or an ISO-8601 string');
  validateReadStreamOptions({ startingVersion: 'latest' });
  validateReadStreamOptions({ startingVersion: 0 });
  assert.equal(refusal(() => validateReadStreamOptions({ startingVersion: 'earliest' })).message, "readStream: option startingVersion is 'earliest'; allowed: a non-negative integer or 'latest'");
});

test('near misses are one or two edits away (none for short words); unrelated words are not near', () => {
  assert.equal(nearestKey('partitonBy', ['partitionBy', 'mode']), 'partitionBy');
  assert.equal(nearestKey('MODE', ['partitionBy', 'mode']), 'mode');
  assert.equal(nearestKey('nmae', ['name']), undefined);
  assert.equal(nearestKey('storageOptions', ['storage', 'mode']), undefined);
  checkOptions('x', { unrelated: 1 }, { mode: { kind: 'enum', values: ['a'] } });
});
