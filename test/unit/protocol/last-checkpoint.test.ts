import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { canonicalJson, jsonChecksum } from '../../../src/protocol/json-checksum.js';
import { parseLastCheckpoint, serializeLastCheckpoint } from '../../../src/protocol/last-checkpoint.js';
import { corpusRoot } from '../../support/paths.js';

// The sample of PROTOCOL.md "JSON checksum", character for character.
const SPEC_SAMPLE = `{"k0":"'v 0'", "checksum": "adsaskfljadfkjadfkj", "k1":{"k2": 2, "k3": ["v3", [1, 2], {"k4": "v4", "k5": ["v5", "v6", "v7"]}]}}`;

test("the spec's checksum sample canonicalizes and hashes to 6a92d155a59bf2eecbd4b4ec7fd1f875", () => {
  assert.equal(canonicalJson(SPEC_SAMPLE),
    '"k0"="%27v%200%27","k1"+"k2"=2,"k1"+"k3"+0="v3","k1"+"k3"+1+0=1,"k1"+"k3"+1+1=2,"k1"+"k3"+2+"k4"="v4","k1"+"k3"+2+"k5"+0="v5","k1"+"k3"+2+"k5"+1="v6","k1"+"k3"+2+"k5"+2="v7"');
  assert.equal(jsonChecksum(SPEC_SAMPLE), '6a92d155a59bf2eecbd4b4ec7fd1f875');
});

test('canonical form URL-encodes UTF-8 bytes, keeps number text, sorts by UTF-8 bytes', () => {
  assert.equal(canonicalJson('{"k0":"normal","k1":"a€+"}'), '"k0"="normal","k1"="a%E2%82%AC%2B"');
  assert.equal(canonicalJson('{"b":1.50,"a":[null,true,-2e3],"é":{}}'), '"a"+0=null,"a"+1=true,"a"+2=-2e3,"b"=1.50');
  assert.equal(canonicalJson('{"x":1,"x":2}'), undefined);
  assert.equal(canonicalJson('[1]'), undefined);
  assert.equal(canonicalJson('{"x":1} trailing'), undefined);
});

test("Spark's _last_checkpoint files in the corpus pass their checksums", () => {
  const parsed: Record<string, number | undefined> = {};
  for (const table of readdirSync(path.join(corpusRoot, 'tables')).sort()) {
    const file = path.join(corpusRoot, 'tables', table, '_delta_log', '_last_checkpoint');
    if (existsSync(file)) parsed[table] = parseLastCheckpoint(readFileSync(file, 'utf8'))?.version;
  }
  assert.deepEqual(parsed, {
    'app-txn-checkpoint': 1,
    'basic-with-inserts-deletes-checkpoint': 10,
    'basic-with-inserts-overwrite-restore': 3,
    'corrupted-last-checkpoint-kernel': undefined,
    'dv-partitioned-with-checkpoint': 10,
    'multi-part-checkpoint': 1,
    'only-checkpoint-files': 2,
    'v1-multi-part-partitioned-struct-stats-only': 5,
    'v2-checkpoint-parquet': 2,
    'v2-checkpoints-json-with-sidecars': 6,
  });
});

test('a corrupt, empty, mistyped or tampered _last_checkpoint is undefined, never an error', () => {
  for (const text of ['', '{', 'null', '[]', '{"size":3}', '{"version":-1,"size":3}', '{"version":"3","size":3}', '{"version":3,"size":3,"parts":0}',
    '{"version":3,"size":3,"checksum":"00000000000000000000000000000000"}', '{"version":3,"size":3,"size":4,"checksum":"x"}']) {
    assert.equal(parseLastCheckpoint(text), undefined, text);
  }
  const good = serializeLastCheckpoint({ version: 7, size: 3 });
  assert.equal(parseLastCheckpoint(good.replace('"version":7', '"version":8')), undefined);
});

test('_last_checkpoint keeps unknown fields and drops nulls', () => {
  assert.deepEqual(parseLastCheckpoint('{"version":4,"size":-1,"parts":null,"tags":{"a":"b"},"v2Checkpoint":{"path":"x"}}'),
    { version: 4, size: -1, tags: { a: 'b' }, v2Checkpoint: { path: 'x' } });
});

test('serialized _last_checkpoint puts version and size first and a valid checksum last', () => {
  const text = serializeLastCheckpoint({ numOfAddFiles: 2, sizeInBytes: 100, size: 5, version: 10, parts: undefined } as never);
  assert.match(text, /^\{"version":10,"size":5,"sizeInBytes":100,"numOfAddFiles":2,"checksum":"[0-9a-f]{32}"\}$/);
  assert.deepEqual(parseLastCheckpoint(text), { version: 10, size: 5, sizeInBytes: 100, numOfAddFiles: 2, checksum: JSON.parse(text).checksum });
  const withExtra = serializeLastCheckpoint({ version: 1, size: 2, tags: { k: 'v w' }, checksum: 'stale' } as never);
  assert.ok(withExtra.startsWith('{"version":1,"size":2,"tags":{"k":"v w"},"checksum":"'));
  assert.notEqual(parseLastCheckpoint(withExtra), undefined);
});
