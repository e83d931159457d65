import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeltaError } from '../../../src/errors.js';
import {
  appendOnly, checkpointInterval, checkpointRetentionMs, dataSkippingNumIndexedCols, deletedFileRetentionMs, enableExpiredLogCleanup,
  logRetentionMs, parseInterval, setTransactionRetentionMs,
} from '../../../src/protocol/table-config.js';

const DAY = 86_400_000;

test('calendar intervals parse to milliseconds', () => {
  assert.equal(parseInterval('interval 7 days'), 7 * DAY);
  assert.equal(parseInterval('interval 1 week'), 7 * DAY);
  assert.equal(parseInterval('INTERVAL 2 Weeks'), 14 * DAY);
  assert.equal(parseInterval('30 days'), 30 * DAY);
  assert.equal(parseInterval('interval 1 day 12 hours'), 1.5 * DAY);
  assert.equal(parseInterval('interval 5 minutes 30 seconds'), 330_000);
  assert.equal(parseInterval('interval 1.5 seconds'), 1500);
  assert.equal(parseInterval('interval 250 milliseconds'), 250);
  assert.equal(parseInterval('interval 3000 microseconds'), 3);
  assert.equal(parseInterval('interval 0 hours'), 0);
});

test('months, years and malformed intervals are INVALID_ARGUMENT', () => {
  for (const text of ['interval 1 month', 'interval 2 years', 'interval', '', 'interval 7', 'interval seven days', 'interval 7 fortnights', 'interval 1.5 days']) {
    assert.throws(() => parseInterval(text), (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT'), text);
  }
});

test('table properties fall back to the Delta defaults', () => {
  assert.equal(checkpointInterval({}), 10);
  assert.equal(logRetentionMs({}), 30 * DAY);
  assert.equal(deletedFileRetentionMs({}), 7 * DAY);
  assert.equal(checkpointRetentionMs({}), 2 * DAY);
  assert.equal(setTransactionRetentionMs({}), undefined);
  assert.equal(enableExpiredLogCleanup({}), true);
  assert.equal(appendOnly({}), false);
  assert.equal(dataSkippingNumIndexedCols({}), 32);
});

test('table properties are read from the configuration', () => {
  const config = {
    'delta.checkpointInterval': '2', 'delta.logRetentionDuration': 'interval 1 day', 'delta.deletedFileRetentionDuration': 'interval 36 hours',
    'delta.setTransactionRetentionDuration': 'interval 3 days', 'delta.enableExpiredLogCleanup': 'FALSE', 'delta.appendOnly': 'true',
    'delta.dataSkippingNumIndexedCols': '-1',
  };
  assert.equal(checkpointInterval(config), 2);
  assert.equal(logRetentionMs(config), DAY);
  assert.equal(deletedFileRetentionMs(config), 1.5 * DAY);
  assert.equal(setTransactionRetentionMs(config), 3 * DAY);
  assert.equal(enableExpiredLogCleanup(config), false);
  assert.equal(appendOnly(config), true);
  assert.equal(dataSkippingNumIndexedCols(config), -1);
});

test('malformed table properties are INVALID_ARGUMENT naming the property', () => {
  const cases: Array<[() => unknown, string]> = [
    [() => checkpointInterval({ 'delta.checkpointInterval': '0' }), 'delta.checkpointInterval=0'],
    [() => checkpointInterval({ 'delta.checkpointInterval': 'ten' }), 'delta.checkpointInterval=ten'],
    [() => deletedFileRetentionMs({ 'delta.deletedFileRetentionDuration': 'interval 1 month' }), 'delta.deletedFileRetentionDuration=interval 1 month'],
    [() => logRetentionMs({ 'delta.logRetentionDuration': 'interval -1 days' }), 'is negative'],
    [() => appendOnly({ 'delta.appendOnly': 'yes' }), 'delta.appendOnly=yes'],
    [() => dataSkippingNumIndexedCols({ 'delta.dataSkippingNumIndexedCols': '-2' }), 'delta.dataSkippingNumIndexedCols=-2'],
  ];
  for (const [fn, fragment] of cases) {
    assert.throws(fn, (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT') && err.message.includes(fragment), fragment);
  }
});
