import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { writeCheckpoint } from '../../src/ops/write/checkpoint.js';
import { parseCommitText } from '../../src/protocol/action-codec.js';
import { loadSnapshot, type Snapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { tempDir } from '../support/temp.js';

/** A "__proto__" key is an ordinary map key: kept as an own property, never a prototype change. */

const SCHEMA = JSON.stringify({ type: 'struct', fields: [
  { name: 'id', type: 'long', nullable: true, metadata: {} }, { name: 'part', type: 'string', nullable: true, metadata: {} },
] });

const COMMIT = [
  '{"commitInfo":{"operation":"WRITE","__proto__":{"polluted":"yes"}}}',
  '{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}',
  `{"metaData":{"id":"t","format":{"provider":"parquet","options":{}},"schemaString":${JSON.stringify(SCHEMA)},"partitionColumns":["part"],"configuration":{"__proto__":"conf","delta.appendOnly":"false"},"createdTime":0}}`,
  '{"add":{"path":"part=a/f.parquet","partitionValues":{"part":"a","__proto__":"pv"},"size":1,"modificationTime":0,"dataChange":true,"tags":{"__proto__":"tag"}}}',
].join('\n');

function assertOwnProto(map: Readonly<Record<string, unknown>> | undefined, value: string, what: string): void {
  assert.ok(map !== undefined, what);
  assert.ok(Object.hasOwn(map, '__proto__'), `${what} lost its "__proto__" key`);
  assert.equal(Object.getOwnPropertyDescriptor(map, '__proto__')!.value, value, what);
  assert.equal(Object.getPrototypeOf(map), Object.prototype, `${what} had its prototype replaced`);
}

function assertKept(snapshot: Snapshot, from: string): void {
  assertOwnProto(snapshot.metadata.configuration, 'conf', `configuration from ${from}`);
  const add = snapshot.files[0]!.add;
  assertOwnProto(add.partitionValues, 'pv', `partitionValues from ${from}`);
  assert.equal(add.partitionValues['part'], 'a');
  assertOwnProto(add.tags, 'tag', `tags from ${from}`);
}

test('"__proto__" keys in configuration, partitionValues and tags are kept when read from a commit and from a checkpoint', async () => {
  const root = await tempDir();
  await mkdir(path.join(root, '_delta_log'));
  await writeFile(path.join(root, '_delta_log', '00000000000000000000.json'), COMMIT + '\n');
  const store = new LocalStore(root);
  const fromCommit = await loadSnapshot(store);
  assert.equal(fromCommit.segment.checkpoint, undefined);
  assertKept(fromCommit, 'a commit');
  await writeCheckpoint(store, { version: 0 });
  const fromCheckpoint = await loadSnapshot(store);
  assert.equal(fromCheckpoint.segment.checkpoint?.version, 0);
  assertKept(fromCheckpoint, 'a checkpoint');
});

test('a "__proto__" key in commitInfo is a field, not a prototype', () => {
  const [info] = parseCommitText(COMMIT, 'c.json');
  const ci = (info as { commitInfo: Record<string, unknown> }).commitInfo;
  assert.equal(Object.getPrototypeOf(ci), Object.prototype);
  assert.equal(ci['polluted'], undefined);
  assert.deepEqual(Object.getOwnPropertyDescriptor(ci, '__proto__')?.value, { polluted: 'yes' });
});
