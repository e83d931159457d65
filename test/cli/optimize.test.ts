import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { repoRoot } from '../support/paths.js';
import { tableIds } from '../support/read.js';
import { idBatch, tempDir } from '../support/temp.js';

const cli = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Partition a: 3 files, partition b: 2 files. */
async function table(): Promise<string> {
  const uri = path.join(await tempDir('dlts-cli-opt-'), 't');
  for (const [id, label] of [[1, 'a'], [2, 'a'], [3, 'a'], [4, 'b'], [5, 'b']] as const) {
    await writeDeltaTable(uri, idBatch([id], label), { mode: 'append', partitionBy: ['label'] });
  }
  return uri;
}

test('optimize --where compacts the matching partition and --json prints the result', async () => {
  const uri = await table();
  const r = run('optimize', uri, '--where', "label = 'a'", '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const doc = JSON.parse(r.stdout) as Record<string, number>;
  assert.deepEqual([doc.version, doc.numFilesRemoved, doc.numFilesAdded, doc.partitionsOptimized], [5, 3, 1, 1]);
  const files = await (await DeltaTable.open(uri)).files();
  assert.deepEqual(files.map((f) => f.partitionValues.label).sort(), ['a', 'b', 'b']);
  assert.deepEqual(await tableIds(uri), [1, 2, 3, 4, 5]);
});

test('optimize prints a summary, then says when there is nothing to do', async () => {
  const uri = await table();
  const first = run('optimize', uri, '--target-size', '100000000');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^optimized: version 5, 5 file\(s\) \(\d+ bytes\) -> 2 file\(s\) \(\d+ bytes\) in 2 partition\(s\); 0 file\(s\) left as they are\n$/);
  const second = run('optimize', uri);
  assert.equal(second.stdout, 'nothing to optimize at version 5 (2 file(s) left as they are)\n');
});

test('optimize --zorder and --where-json are passed through', async () => {
  const uri = await table();
  const r = run('optimize', uri, '--zorder', 'id', '--where-json', '[["label","=","b"]]', '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Record<string, number>;
  assert.deepEqual([doc.numFilesRemoved, doc.partitionsOptimized], [2, 1]);
  const h = await (await DeltaTable.open(uri)).history({ limit: 1 });
  assert.deepEqual(h[0]!.operationParameters, { predicate: '["`label` = \'b\'"]', zOrderBy: '["id"]', clusterBy: '[]', auto: 'false' });
});

test('--where takes full SQL over partition columns: OR and IN select exactly those partitions', async () => {
  const uri = await table();
  const r = run('optimize', uri, '--where', "label = 'b' OR label IN ('zz')", '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Record<string, number>;
  assert.deepEqual([doc.version, doc.numFilesRemoved, doc.numFilesAdded, doc.partitionsOptimized], [5, 2, 1, 1]);
  const files = await (await DeltaTable.open(uri)).files();
  assert.deepEqual(files.map((f) => f.partitionValues.label).sort(), ['a', 'a', 'a', 'b']);
  const h = await (await DeltaTable.open(uri)).history({ limit: 1 });
  assert.equal(h[0]!.operationParameters!.predicate, JSON.stringify(["label = 'b' OR label IN ('zz')"]));
});

test('a --where the SQL parser refuses, or one on a data column, exits 1 with the error and a hint', async () => {
  const uri = await table();
  const bad = run('optimize', uri, '--where', "label LIKE 'a%'");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error\[INVALID_ARGUMENT\]: .*LIKE.*\n  hint: /);
  const data = run('optimize', uri, '--where', 'id = 1 OR label = \'a\'');
  assert.equal(data.code, 1);
  assert.equal(data.stderr, 'error[INVALID_ARGUMENT]: the optimize predicate names "id", which is not a partition column\n  hint: restrict the predicate to the partition columns: label\n');
  const size = run('optimize', uri, '--target-size', '0');
  assert.equal(size.code, 2);
  assert.match(size.stderr, /--target-size must be a positive integer/);
  assert.equal((await DeltaTable.open(uri)).version, 4);
});
