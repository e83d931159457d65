import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkpointPath, commitPath, crcPath, lastCheckpointPath, LOG_DIR, parseLogFileName } from '../../../src/protocol/log-paths.js';

test('log file paths are zero-padded to 20 digits under _delta_log/', () => {
  assert.equal(LOG_DIR, '_delta_log/');
  assert.equal(commitPath(0), '_delta_log/00000000000000000000.json');
  assert.equal(commitPath(1234), '_delta_log/00000000000000001234.json');
  assert.equal(checkpointPath(10), '_delta_log/00000000000000000010.checkpoint.parquet');
  assert.equal(crcPath(7), '_delta_log/00000000000000000007.crc');
  assert.equal(lastCheckpointPath, '_delta_log/_last_checkpoint');
  assert.throws(() => commitPath(-1), { name: 'DeltaError', code: 'INVALID_ARGUMENT', message: 'not a table version: -1', hint: 'a version is a non-negative integer' });
  assert.throws(() => commitPath(1.5), { name: 'DeltaError', code: 'INVALID_ARGUMENT', message: 'not a table version: 1.5' });
});

test('commit, checkpoint, crc, compaction and _last_checkpoint names are classified with their versions', () => {
  assert.deepEqual(parseLogFileName('00000000000000000012.json'), { kind: 'commit', version: 12 });
  assert.deepEqual(parseLogFileName('_delta_log/00000000000000000012.json'), { kind: 'commit', version: 12 });
  assert.deepEqual(parseLogFileName('00000000000000000010.checkpoint.parquet'), { kind: 'checkpoint', variant: 'classic', version: 10 });
  assert.deepEqual(parseLogFileName('00000000000000000010.checkpoint.0000000002.0000000003.parquet'), {
    kind: 'checkpoint', variant: 'multipart', version: 10, part: 2, parts: 3,
  });
  assert.deepEqual(parseLogFileName('00000000000000000002.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json'), {
    kind: 'checkpoint', variant: 'uuid', version: 2, uuid: '80a083e8-7026-4e79-81be-64bd76c43a11', format: 'json',
  });
  assert.deepEqual(parseLogFileName('00000000000000000002.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.parquet'), {
    kind: 'checkpoint', variant: 'uuid', version: 2, uuid: '80a083e8-7026-4e79-81be-64bd76c43a11', format: 'parquet',
  });
  assert.deepEqual(parseLogFileName('00000000000000000003.crc'), { kind: 'crc', version: 3 });
  assert.deepEqual(parseLogFileName('00000000000000000004.00000000000000000006.compacted.json'), {
    kind: 'compacted', version: 4, startVersion: 4, endVersion: 6,
  });
  assert.deepEqual(parseLogFileName('_last_checkpoint'), { kind: 'last-checkpoint' });
});

test('files in _delta_log sub-folders and near-miss names are other', () => {
  for (const name of [
    '.tmp/00000000000000000001.json',
    '_delta_log/.tmp/00000000000000000001.json',
    '_sidecars/00000000000000000001.json',
    '_staged_commits/00000000000000000001.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.json',
    '.00000000000000000001.json.crc',
    '0000000000000000001.json',
    '000000000000000000001.json',
    '00000000000000000001.json.tmp',
    '00000000000000000010.checkpoint.0000000000.0000000003.parquet',
    '00000000000000000010.checkpoint.0000000004.0000000003.parquet',
    '00000000000000000006.00000000000000000004.compacted.json',
    '00000000000000000006.00000000000000000006.compacted.json',
    '_last_vacuum_info',
    '99999999999999999999.json',
  ]) {
    assert.deepEqual(parseLogFileName(name), { kind: 'other' }, name);
  }
});
