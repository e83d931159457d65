import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { corpusRoot } from '../support/paths.js';
import { idBatch, tempDir } from '../support/temp.js';

const code = (c: string, re?: RegExp) => (e: unknown) => e instanceof DeltaError && e.code === c && (!re || re.test(e.message)) && !!e.hint;

test('a folder without a Delta log is TABLE_NOT_FOUND', async () => {
  await assert.rejects(DeltaTable.open(await tempDir()), code('TABLE_NOT_FOUND'));
});

test('a version past the latest is VERSION_NOT_FOUND stating the available range', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]));
  await writeDeltaTable(uri, idBatch([2]), { mode: 'append' });
  await assert.rejects(DeltaTable.open(uri, { version: 7 }), code('VERSION_NOT_FOUND', /0\.\.1/));
});

test('a deleted data file is FILE_NOT_FOUND naming the path and mentioning VACUUM', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]));
  const table = await DeltaTable.open(uri);
  const [file] = await table.files();
  await rm(path.join(uri, file!.path));
  await assert.rejects(table.toArrow(), (e: unknown) => code('FILE_NOT_FOUND')(e) && (e as DeltaError).message.includes(file!.path) && /VACUUM/.test((e as DeltaError).hint!));
});

test('a relative log path escaping the table root is CORRUPT_LOG; an absolute one of another scheme UNSUPPORTED_FEATURE', async () => {
  // Absolute paths on the table's own store kind are read (shallow clones): test/integration/absolute-paths.test.ts.
  for (const [evil, c, re] of [['../outside.parquet', 'CORRUPT_LOG', /escapes/], ['s3://other-bucket/x.parquet', 'UNSUPPORTED_FEATURE', /s3: location/]] as const) {
    const uri = await tempDir();
    await writeDeltaTable(uri, idBatch([1]));
    const commit = path.join(uri, '_delta_log', '00000000000000000001.json');
    await writeFile(commit, JSON.stringify({ add: { path: evil, partitionValues: {}, size: 1, modificationTime: 0, dataChange: true } }) + '\n');
    await assert.rejects(DeltaTable.open(uri).then((t) => t.toArrow()), code(c, re));
  }
});

test('a malformed commit line is CORRUPT_LOG naming the file and line', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]));
  await writeFile(path.join(uri, '_delta_log', '00000000000000000001.json'), '{"commitInfo":{}}\n{"add": {oops\n');
  await assert.rejects(DeltaTable.open(uri), code('CORRUPT_LOG', /00000000000000000001\.json.*line 2|line 2.*00000000000000000001\.json/));
});

test('a corrupt _last_checkpoint and a truncated checkpoint fall back to the commits', async () => {
  const uri = await tempDir();
  await cp(path.join(corpusRoot, 'tables', 'only-checkpoint-files'), uri, { recursive: true });
  const before = (await (await DeltaTable.open(uri)).toArrow()).numRows;
  await writeFile(path.join(uri, '_delta_log', '_last_checkpoint'), '{"version": 2, "si');
  const cpFile = path.join(uri, '_delta_log', '00000000000000000002.checkpoint.parquet');
  await writeFile(cpFile, (await readFile(cpFile)).subarray(0, 100));
  await mkdir(path.join(uri, '_delta_log', '.tmp'), { recursive: true });
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, 2);
  assert.equal((await table.toArrow()).numRows, before);
});

test('a filter on an unknown column is INVALID_ARGUMENT listing the columns', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]));
  await assert.rejects((await DeltaTable.open(uri)).toArrow({ filter: [['nope', '=', 1]] }), code('INVALID_ARGUMENT', /nope/));
});
