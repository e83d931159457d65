import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { repoRoot } from '../support/paths.js';
import { idBatch, tempDir } from '../support/temp.js';

const cli = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('deltalake delete --where deletes the matching rows; --json prints the metrics', async () => {
  const uri = await tempDir('dlts-cli-del-');
  await writeDeltaTable(uri, idBatch([1, 2, 3], 'a'));
  const text = run('delete', uri, '--where', 'id = 2');
  assert.equal(text.stderr, '');
  assert.equal(text.stdout, 'deleted 1 row(s) at version 1: 1 file(s) removed, 1 written, 0 deletion vector(s)\n');
  const r = run('delete', uri, '--where', 'id >= 3', '--json');
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.stdout) as { version: number; numDeletedRows: number };
  assert.deepEqual([doc.version, doc.numDeletedRows], [2, 1]);
  assert.deepEqual((await (await DeltaTable.open(uri)).toArrow()).toArray().map((x) => Number(x.id)), [1]);
  const none = run('delete', uri, '--where', 'id > 100');
  assert.equal(none.stdout, 'no rows match; nothing committed (version 2)\n');
});

test('deltalake delete refuses a missing --where and an unknown column, committing nothing', async () => {
  const uri = await tempDir('dlts-cli-del-err-');
  await writeDeltaTable(uri, idBatch([1], 'a'));
  const missing = run('delete', uri);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /--where/);
  const bad = run('delete', uri, '--where', 'nope = 1');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /column "nope" in the expression "nope = 1" is not in the table/);
  assert.equal((await DeltaTable.open(uri)).version, 0);
});
