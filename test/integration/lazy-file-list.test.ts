import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isDeltaError } from '../../src/index.js';
import { bindFilter, type Filter } from '../../src/ops/read/filter.js';
import { pruneFiles } from '../../src/ops/read/scan.js';
import { writeCheckpoint } from '../../src/ops/write/checkpoint.js';
import { serializeCommit } from '../../src/protocol/action-codec.js';
import type { Action, AddAction, DeletionVectorDescriptor } from '../../src/protocol/actions.js';
import { commitPath } from '../../src/protocol/log-paths.js';
import { loadSnapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { tempDir } from '../support/temp.js';

const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] });
const header: Action[] = [
  { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
  { metaData: { id: 'lazy', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {}, createdTime: 0 } },
];
const dv: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 1, sizeInBytes: 36, cardinality: 2 };
const addOf = (p: string, extra: Partial<AddAction> = {}): Action => ({
  add: { path: p, partitionValues: {}, size: 100, modificationTime: 1, dataChange: true, stats: `{"numRecords":3,"p":"${p}"}`, ...extra },
});
const removeOf = (p: string, extra: Record<string, unknown> = {}): Action => ({ remove: { path: p, deletionTimestamp: 2, dataChange: true, ...extra } });

async function tableOf(commits: Action[][], checkpointAt: number): Promise<LocalStore> {
  const store = new LocalStore(await tempDir('dlts-lazy-files-'));
  for (let v = 0; v < commits.length; v++) {
    await store.putIfAbsent(commitPath(v), serializeCommit(v === 0 ? [...header, ...commits[v]!] : commits[v]!));
    if (v === checkpointAt) await writeCheckpoint(store, { version: v });
  }
  return store;
}

test('a checkpoint\'s files are counted before they are built, and built once, minus those later commits touched', async () => {
  const names = Array.from({ length: 8 }, (_, i) => `part-${i}.parquet`);
  const store = await tableOf([
    names.slice(0, 5).map((n, i) => addOf(n, { size: 100 + i })),
    names.slice(5).map((n, i) => addOf(n, { size: 105 + i })),
    // After the checkpoint at 1: one file removed, one replaced by itself with a deletion vector, one new.
    [removeOf(names[1]!)],
    [removeOf(names[6]!), addOf(names[6]!, { deletionVector: dv })],
    [addOf('part-new.parquet')],
  ], 1);
  const snapshot = await loadSnapshot(store);
  assert.equal(snapshot.segment.checkpoint?.version, 1);
  assert.equal(snapshot.fileCount, 8);
  // 100..107 minus part-1 (101) and part-6 (106, re-added at 100 with its deletion vector), plus part-new (100).
  assert.equal(snapshot.sizeBytes, 828 - 101 - 106 + 100 + 100);
  const files = snapshot.files;
  assert.equal(files.length, 8);
  assert.equal(snapshot.files, files, 'the list is built once');
  // Commit adds come first, newest commit first; then the checkpoint's survivors (in its own order).
  assert.deepEqual(files.slice(0, 2).map((f) => f.path), ['part-new.parquet', names[6]]);
  assert.deepEqual(files.slice(2).map((f) => f.path).sort(), [names[0], names[2], names[3], names[4], names[5], names[7]]);
  assert.deepEqual(files[1]!.add.deletionVector, dv);
  const first = files.find((f) => f.path === names[0])!;
  assert.equal(first.add.stats, `{"numRecords":3,"p":"${names[0]}"}`);
  assert.equal(first.add.deletionVector, undefined, 'the all-null deletionVector column is dropped, and read as absent');
  assert.deepEqual(first.add.partitionValues, {});
  assert.equal(first.add.size, 100);
  assert.equal(snapshot.sizeBytes, files.reduce((t, f) => t + f.add.size, 0));
});

test('checkpoint paths that need decoding are resolved when the snapshot loads: percent escapes read, a path out of the root is CORRUPT_LOG at load', async () => {
  const escaped = await tableOf([[addOf('a%20b.parquet'), addOf('plain.parquet')], [addOf('z.parquet')]], 0);
  const snapshot = await loadSnapshot(escaped);
  assert.deepEqual(snapshot.files.map((f) => f.path).sort(), ['a b.parquet', 'plain.parquet', 'z.parquet']);
  assert.equal(snapshot.fileCount, 3);

  // Our writer refuses to checkpoint a path out of the root, so one is patched into the file:
  // the same number of bytes, stored literally (dictionary and statistics alike).
  const store = await tableOf([[addOf('plain.parquet'), addOf('qq/outside-file.parquet')]], 0);
  const file = path.join(fileURLToPath(store.rootUri), '_delta_log', '00000000000000000000.checkpoint.parquet');
  const bytes = Buffer.from(await readFile(file));
  let patched = 0;
  for (let at = bytes.indexOf('qq/outside-file'); at >= 0; at = bytes.indexOf('qq/outside-file')) {
    bytes.write('../outside-file', at, 'latin1');
    patched++;
  }
  assert.ok(patched > 0);
  await writeFile(file, bytes);
  // The checkpoint is refused while loading (not when the files are first used), and the
  // commit it was written from rebuilds the table, as for any unreadable checkpoint.
  const reloaded = await loadSnapshot(store);
  assert.equal(reloaded.segment.checkpoint, undefined);
  assert.deepEqual(reloaded.files.map((f) => f.path).sort(), ['plain.parquet', 'qq/outside-file.parquet']);
  await store.putIfAbsent(commitPath(1), serializeCommit([addOf('more.parquet')]));
  await rm(path.join(fileURLToPath(store.rootUri), commitPath(0)));
  await assert.rejects(loadSnapshot(store), (err: unknown) => isDeltaError(err, 'CORRUPT_LOG') && /cannot be read/.test((err as Error).message));
});

test('a partition filter over a file list not yet built finds the same files as over the built list', async () => {
  const schema = JSON.stringify({ type: 'struct', fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} }, { name: 'p', type: 'string', nullable: true, metadata: {} },
  ] });
  const partitioned: Action[] = [
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { metaData: { id: 'lazy-p', format: { provider: 'parquet', options: {} }, schemaString: schema, partitionColumns: ['p'], configuration: {}, createdTime: 0 } },
  ];
  const inPartition = (p: string | null, i: number, lo: number): Action => ({ add: {
    path: `p=${p ?? '__HIVE_DEFAULT_PARTITION__'}/part-${i}.parquet`, partitionValues: { p }, size: 100, modificationTime: 1, dataChange: true,
    stats: JSON.stringify({ numRecords: 2, minValues: { id: lo }, maxValues: { id: lo + 1 }, nullCount: { id: 0 } }),
  } });
  const store = new LocalStore(await tempDir('dlts-lazy-parts-'));
  const commits: Action[][] = [
    [...partitioned, inPartition('a', 0, 0), inPartition('a', 1, 2), inPartition('b', 2, 4), inPartition(null, 3, 6)],
    [inPartition('a', 4, 8), inPartition('c', 5, 10), inPartition('b', 6, 12)],
    [removeOf('p=a/part-1.parquet'), inPartition('b', 7, 14)], // after the checkpoint at 1
  ];
  for (let v = 0; v < commits.length; v++) {
    await store.putIfAbsent(commitPath(v), serializeCommit(commits[v]!));
    if (v === 1) await writeCheckpoint(store, { version: 1 });
  }
  const filters: Filter[] = [
    [['p', '=', 'a']], [['p', 'in', ['a', 'c']]], [[['p', '=', 'b']], [['id', '>', 9]]], [['p', '!=', 'a']], [['id', '<', 3]], [['p', '=', 'zzz']],
  ];
  const built = await loadSnapshot(store);
  void built.files;
  const paths = (files: Array<{ path: string }>): string[] => files.map((f) => f.path).sort();
  const found: string[][] = [];
  for (const filter of filters) {
    const lazy = await loadSnapshot(store);
    assert.equal(lazy.segment.checkpoint?.version, 1);
    const expected = paths(pruneFiles(built, bindFilter(filter, built.schema)));
    assert.deepEqual(paths(pruneFiles(lazy, bindFilter(filter, lazy.schema))), expected, JSON.stringify(filter));
    found.push(expected);
  }
  assert.deepEqual(found[0], ['p=a/part-0.parquet', 'p=a/part-4.parquet']);
  assert.deepEqual(found[1], ['p=a/part-0.parquet', 'p=a/part-4.parquet', 'p=c/part-5.parquet']);
  assert.deepEqual(found[2], ['p=b/part-2.parquet', 'p=b/part-6.parquet', 'p=b/part-7.parquet', 'p=c/part-5.parquet']);
  assert.deepEqual(found[5], []);
});
