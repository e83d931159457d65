import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isDeltaError } from '../../../src/errors.js';
import { parseAction, parseCommitText, serializeAction, serializeCommit } from '../../../src/protocol/action-codec.js';
import type { Action } from '../../../src/protocol/actions.js';
import { corpusRoot } from '../../support/paths.js';

function corruptAt(fn: () => unknown, fragment: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isDeltaError(err, 'CORRUPT_LOG'), `expected CORRUPT_LOG, got ${String(err)}`);
    assert.ok(err.message.includes(fragment), `message "${err.message}" should include "${fragment}"`);
    return true;
  });
}

const ADD_LINE = '{"add":{"path":"a.parquet","partitionValues":{"p":null,"q":"1"},"size":10,"modificationTime":5,"dataChange":true,"stats":"{\\"numRecords\\":1}"}}';

test('a commit parses into typed actions, skipping blank lines', () => {
  const text = [
    '{"commitInfo":{"timestamp":1,"operation":"WRITE","isBlindAppend":true,"engineInfo":"x","custom":{"a":1}}}',
    '',
    '{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}',
    '   ',
    ADD_LINE,
    '',
  ].join('\n');
  assert.deepEqual(parseCommitText(text, '00.json'), [
    { commitInfo: { timestamp: 1, operation: 'WRITE', isBlindAppend: true, engineInfo: 'x', custom: { a: 1 } } },
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { add: { path: 'a.parquet', partitionValues: { p: null, q: '1' }, size: 10, modificationTime: 5, dataChange: true, stats: '{"numRecords":1}' } },
  ]);
});

test('unknown action types are dropped and unknown fields ignored', () => {
  const text = '{"rowIdHighWaterMark":{"highWaterMark":3}}\n{"txn":{"appId":"a","version":4,"futureField":true}}';
  assert.deepEqual(parseCommitText(text, 'f'), [{ txn: { appId: 'a', version: 4 } }]);
});

test('JSON nulls for optional fields become absent fields', () => {
  const line = '{"add":{"path":"p","partitionValues":{},"size":1,"modificationTime":2,"dataChange":false,"stats":null,"tags":null,"deletionVector":null,"baseRowId":null}}';
  assert.deepEqual(parseAction(JSON.parse(line), 'w'), { add: { path: 'p', partitionValues: {}, size: 1, modificationTime: 2, dataChange: false } });
  const proto = parseAction({ protocol: { minReaderVersion: 1, minWriterVersion: 2, readerFeatures: null, writerFeatures: null } }, 'w');
  assert.deepEqual(proto, { protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
});

test('a malformed line is CORRUPT_LOG naming the file and the 1-based line', () => {
  corruptAt(() => parseCommitText(`${ADD_LINE}\n{"add": {`, '_delta_log/00000000000000000003.json'), '_delta_log/00000000000000000003.json line 2: not valid JSON');
  corruptAt(() => parseCommitText('[1,2]', 'f.json'), 'f.json line 1: an action must be a JSON object');
});

test('a known action with a missing or mistyped required field is CORRUPT_LOG naming the field', () => {
  corruptAt(() => parseCommitText('\n{"add":{"path":"p","partitionValues":{},"modificationTime":1,"dataChange":true}}', 'c.json'), 'c.json line 2: add.size is missing');
  corruptAt(() => parseCommitText('{"add":{"path":"p","partitionValues":{},"size":"10","modificationTime":1,"dataChange":true}}', 'c.json'), 'add.size must be an integer, got "10"');
  corruptAt(() => parseAction({ metaData: { schemaString: '{}' } }, 'cp row 3'), 'cp row 3: metaData.id is missing');
  corruptAt(() => parseAction({ protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: 'x' } }, 'w'), 'protocol.readerFeatures must be an array of strings');
  corruptAt(() => parseAction({ add: { path: 'p', partitionValues: { a: 1 }, size: 1, modificationTime: 1, dataChange: true } }, 'w'), 'add.partitionValues.a must be a string, got 1');
  corruptAt(() => parseAction({ txn: { appId: 'a', version: 1.5 } }, 'w'), 'txn.version must be an integer');
  corruptAt(() => parseAction({ add: 'x' }, 'w'), '"add" must be a JSON object');
  corruptAt(() => parseAction({ add: { path: 'p', partitionValues: {}, size: 1, modificationTime: 1, dataChange: true, deletionVector: { storageType: 'z', pathOrInlineDv: 'x', sizeInBytes: 1, cardinality: 1 } } }, 'w'), 'add.deletionVector.storageType must be one of');
});

test('a line holding two actions is CORRUPT_LOG', () => {
  corruptAt(() => parseAction({ txn: { appId: 'a', version: 1 }, domainMetadata: { domain: 'd', configuration: '{}', removed: false } }, 'w'), 'two actions');
});

test('metaData without format, partitionColumns or configuration gets Spark defaults', () => {
  assert.deepEqual(parseAction({ metaData: { id: 'i', schemaString: '{}' } }, 'w'), {
    metaData: { id: 'i', format: { provider: 'parquet', options: {} }, schemaString: '{}', partitionColumns: [], configuration: {} },
  });
});

test('remove defaults dataChange to true and keeps its deletion vector', () => {
  const dv = { storageType: 'u', pathOrInlineDv: 'vBn[lx{q8@P<9BNH/isA', offset: 1, sizeInBytes: 36, cardinality: 2 };
  assert.deepEqual(parseAction({ remove: { path: 'p', deletionTimestamp: 9, deletionVector: dv } }, 'w'), {
    remove: { path: 'p', deletionTimestamp: 9, dataChange: true, deletionVector: dv },
  });
});

test('checkpoint cells with bigint longs and an object stats are accepted', () => {
  assert.deepEqual(parseAction({ add: { path: 'p', partitionValues: {}, size: 10n, modificationTime: 3n, dataChange: true, stats: { numRecords: 2 } } }, 'row 1'), {
    add: { path: 'p', partitionValues: {}, size: 10, modificationTime: 3, dataChange: true, stats: '{"numRecords":2}' },
  });
});

test('commitInfo keeps free-form fields but drops mistyped typed ones', () => {
  assert.deepEqual(parseAction({ commitInfo: { isBlindAppend: 'yes', operation: 'WRITE', readVersion: null, clusterId: 'c' } }, 'w'), {
    commitInfo: { operation: 'WRITE', clusterId: 'c' },
  });
});

test('commitInfo serializes its keys in the order Spark writes, extras last', () => {
  const a: Action = { commitInfo: { txnId: 't', custom: 1, engineInfo: 'e', isBlindAppend: true, operation: 'WRITE', timestamp: 5, inCommitTimestamp: 6, readVersion: 0 } };
  assert.equal(serializeAction(a), '{"commitInfo":{"inCommitTimestamp":6,"timestamp":5,"operation":"WRITE","readVersion":0,"isBlindAppend":true,"engineInfo":"e","txnId":"t","custom":1}}');
});

test('serialized actions omit absent fields, never write null, and keep partition nulls', () => {
  const add: Action = { add: { dataChange: true, size: 3, path: 'x=1/f.parquet', modificationTime: 2, partitionValues: { x: null } } };
  assert.equal(serializeAction(add), '{"add":{"path":"x=1/f.parquet","partitionValues":{"x":null},"size":3,"modificationTime":2,"dataChange":true}}');
  const meta: Action = { metaData: { configuration: {}, createdTime: 7, partitionColumns: [], schemaString: 's', format: { options: {}, provider: 'parquet' }, id: 'i' } };
  assert.equal(serializeAction(meta), '{"metaData":{"id":"i","format":{"provider":"parquet","options":{}},"schemaString":"s","partitionColumns":[],"configuration":{},"createdTime":7}}');
  const remove: Action = { remove: { path: 'p', dataChange: true, deletionTimestamp: 4, deletionVector: { cardinality: 1, sizeInBytes: 2, storageType: 'i', pathOrInlineDv: 'abcde' } } };
  assert.equal(serializeAction(remove), '{"remove":{"path":"p","deletionTimestamp":4,"dataChange":true,"deletionVector":{"storageType":"i","pathOrInlineDv":"abcde","sizeInBytes":2,"cardinality":1}}}');
});

test('a commit serializes to newline-terminated lines that parse back to the same actions', () => {
  const actions: Action[] = [
    { commitInfo: { timestamp: 1, operation: 'WRITE' } },
    { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] } },
    { txn: { appId: 'app', version: 3, lastUpdated: 9 } },
    { domainMetadata: { domain: 'd', configuration: '{"a":1}', removed: false } },
    { cdc: { path: '_change_data/c.parquet', partitionValues: {}, size: 1, dataChange: false } },
  ];
  const text = new TextDecoder().decode(serializeCommit(actions));
  assert.equal(text.split('\n').length, actions.length + 1);
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(parseCommitText(text, 'f'), actions);
});

test('every commit file in the corpus parses and re-serializes stably', () => {
  let files = 0;
  const corrupt: string[] = [];
  for (const table of readdirSync(path.join(corpusRoot, 'tables')).sort()) {
    const log = path.join(corpusRoot, 'tables', table, '_delta_log');
    for (const name of readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n))) {
      const file = path.join(log, name);
      let actions: Action[];
      try {
        actions = parseCommitText(readFileSync(file, 'utf8'), file);
      } catch (err) {
        assert.ok(isDeltaError(err, 'CORRUPT_LOG'), `${file}: ${String(err)}`);
        corrupt.push(`${table}/${name}: ${err.message.slice(file.length + 1)}`);
        continue;
      }
      files++;
      const again = parseCommitText(new TextDecoder().decode(serializeCommit(actions)), file);
      assert.deepEqual(again, actions, file);
    }
  }
  // versions-not-contiguous (built only to test listing) has a metaData without schemaString:
  // it parses, as an empty schema (Spark's reading).
  assert.equal(files, 194);
  assert.deepEqual(corrupt, []);
});

test('a Spark-written add line re-serializes byte for byte', () => {
  const file = path.join(corpusRoot, 'tables/table-with-dv-small/_delta_log/00000000000000000001.json');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  for (const line of lines) assert.equal(serializeAction(parseAction(JSON.parse(line), file)!), line);
});
