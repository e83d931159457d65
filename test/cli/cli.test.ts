import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { corpusRoot, repoRoot } from '../support/paths.js';
import { idBatch, tempDir } from '../support/temp.js';

const cli = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function table(): Promise<string> {
  const uri = await tempDir('dlts-cli-');
  await writeDeltaTable(uri, idBatch([1, 2]), { partitionBy: ['label'] });
  await writeDeltaTable(uri, idBatch([3], 'y'), { mode: 'append' });
  return uri;
}

test('history --json prints exactly one JSON document, newest first', async () => {
  const uri = await table();
  const r = run('history', uri, '--json');
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const doc = JSON.parse(r.stdout) as Array<{ version: number; operation: string }>;
  assert.deepEqual(doc.map((h) => [h.version, h.operation]), [[1, 'WRITE'], [0, 'CREATE TABLE AS SELECT']]);
});

test('describe --json reports version, schema, partitioning, protocol, files and bytes', async () => {
  const uri = await table();
  const doc = JSON.parse(run('describe', uri, '--json').stdout);
  const files = await (await DeltaTable.open(uri)).files();
  assert.equal(doc.version, 1);
  assert.deepEqual(doc.partitionColumns, ['label']);
  assert.deepEqual(doc.schema.map((c: { name: string }) => c.name), ['id', 'label']);
  assert.deepEqual(doc.protocol, { minReaderVersion: 1, minWriterVersion: 2 });
  assert.equal(doc.numFiles, 2);
  assert.equal(doc.sizeBytes, files.reduce((s, f) => s + f.size, 0));
  assert.equal(JSON.parse(run('describe', uri, '--version', '0', '--json').stdout).version, 0);
});

test('cat prints rows as JSON lines and CSV, with --columns and --limit', async () => {
  const uri = await table();
  const lines = run('cat', uri, '--format', 'json').stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((r) => `${r.id}${r.label}`).sort(), ['1x', '2x', '3y']);
  const csv = run('cat', uri, '--columns', 'label', '--limit', '1', '--format', 'csv').stdout.trim().split('\n');
  assert.equal(csv[0], 'label');
  assert.equal(csv.length, 2);
});

test('files lists active files; a corpus table copy works too', async () => {
  const dir = path.join(await tempDir('dlts-cli-corpus-'), 't');
  await cp(path.join(corpusRoot, 'tables', 'dat-basic_partitioned'), dir, { recursive: true });
  const files = JSON.parse(run('files', dir, '--json').stdout) as Array<{ path: string }>;
  assert.deepEqual(files.map((f) => f.path).sort(), (await (await DeltaTable.open(dir)).files()).map((f) => f.path).sort());
});

test('errors: DeltaError is error[CODE] + hint with exit 1; bad usage exits 2', async () => {
  const missing = run('history', path.join(await tempDir(), 'none'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error\[TABLE_NOT_FOUND\]: .+\n  hint: .+\n$/);
  assert.equal(missing.stdout, '');
  assert.equal(run('history').code, 2);
  assert.equal(run('nonsense-command').code, 2);
  assert.equal(run('files', '.', '--version', 'abc').code, 2);
  const version = run('--version');
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  const help = run('vacuum', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Example:/);
});

test('vacuum prints the plan by default and deletes only with --yes; doctor finds and repairs a missing file', async () => {
  const uri = await table();
  const plan = JSON.parse(run('vacuum', uri, '--json').stdout);
  assert.deepEqual(plan, { dryRun: true, files: [], bytes: 0 });
  const [first] = await (await DeltaTable.open(uri)).files();
  await rm(path.join(uri, first!.path));
  const doc = run('doctor', uri, '--json');
  assert.equal(doc.code, 1);
  assert.deepEqual(JSON.parse(doc.stdout).problems.map((p: { kind: string; path: string }) => [p.kind, p.path]), [['missing-file', first!.path]]);
  const repaired = run('doctor', uri, '--repair', '--yes');
  assert.equal(repaired.code, 0);
  assert.match(repaired.stdout, /repaired: committed version 2/);
  assert.equal(run('doctor', uri).code, 0);
});

test('checkpoint and restore commands; with --json each prints one JSON document and nothing else', async () => {
  const uri = await table();
  assert.match(run('checkpoint', uri).stdout, /checkpoint written at version 1/);
  assert.match(run('restore', uri, '--version', '0').stdout, /restored: new version 2/);
  assert.equal((await (await DeltaTable.open(uri)).toArrow()).numRows, 2);
  assert.equal(run('restore', uri).code, 2);
  const checkpoint = run('checkpoint', uri, '--json');
  assert.equal(checkpoint.code, 0);
  assert.equal(checkpoint.stderr, '');
  assert.deepEqual(JSON.parse(checkpoint.stdout), { version: 2 });
  const restore = run('restore', uri, '--version', '1', '--json');
  assert.equal(restore.code, 0);
  assert.equal(restore.stderr, '');
  assert.deepEqual(JSON.parse(restore.stdout), { version: 3 });
  assert.equal((await (await DeltaTable.open(uri)).toArrow()).numRows, 3);
});

test('vacuum below the retention names the CLI flag --no-enforce-retention in its hint, and that flag works', async () => {
  const uri = await table();
  const refused = run('vacuum', uri, '--retention-hours', '0', '--json');
  assert.equal(refused.code, 1);
  assert.equal(refused.stdout, '');
  assert.equal(refused.stderr,
    "error[INVALID_ARGUMENT]: retention of 0 h is shorter than the table's delta.deletedFileRetentionDuration (168 h)\n" +
    '  hint: readers of older versions and writes in flight could lose files; pass --no-enforce-retention only if none exist\n');
  const allowed = run('vacuum', uri, '--retention-hours', '0', '--no-enforce-retention', '--json');
  assert.equal(allowed.code, 0);
  assert.deepEqual(JSON.parse(allowed.stdout), { dryRun: true, files: [], bytes: 0 });
});
