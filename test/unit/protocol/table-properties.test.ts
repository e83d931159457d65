import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeltaError } from '../../../src/errors.js';
import { validateTableProperties } from '../../../src/protocol/table-properties.js';

test('valid properties pass; known keys get their canonical case, booleans lower case, unknown keys stay as given', () => {
  assert.deepEqual(validateTableProperties({
    'delta.appendonly': ' TRUE ', 'delta.checkpointInterval': '5', 'delta.dataSkippingNumIndexedCols': '-1',
    'delta.logRetentionDuration': 'interval 30 days', 'delta.columnMapping.mode': 'Name', 'spark.custom': 'X',
  }), {
    'delta.appendOnly': 'true', 'delta.checkpointInterval': '5', 'delta.dataSkippingNumIndexedCols': '-1',
    'delta.logRetentionDuration': 'interval 30 days', 'delta.columnMapping.mode': 'name', 'spark.custom': 'X',
  });
});

test('invalid values are INVALID_ARGUMENT naming the property, the value and what is allowed', () => {
  const cases: Array<[string, string, string]> = [
    ['delta.checkpointInterval', 'ten', 'a positive integer'],
    ['delta.checkpointInterval', '-3', 'a positive integer'],
    ['delta.checkpointInterval', '1e3', 'a positive integer'],
    ['delta.checkpointInterval', '99999999999', 'a positive integer'],
    ['delta.dataSkippingNumIndexedCols', '-2', 'an integer >= -1'],
    ['delta.setTransactionRetentionDuration', 'interval -1 days', 'a non-negative interval'],
    ['delta.enableDeletionVectors', 'enabled', 'true or false'],
    ['delta.checkpointPolicy', 'v3', 'one of classic, v2'],
  ];
  for (const [key, value, allowed] of cases) {
    assert.throws(() => validateTableProperties({ [key]: value }), (e: unknown) => {
      assert.ok(e instanceof DeltaError && e.code === 'INVALID_ARGUMENT');
      assert.equal(e.message, `table property ${key}=${JSON.stringify(value)} is not valid: it must be ${allowed}`);
      assert.match(e.hint!, new RegExp(`^set it like \\{ "${key.replace(/\./g, '\\.')}": "[^"]+" \\}, or leave it out for the default$`));
      return true;
    }, `${key}=${value}`);
  }
  assert.throws(() => validateTableProperties({ 'delta.appendOnly': 'true', 'delta.APPENDONLY': 'false' }), /are the same property/);
});
