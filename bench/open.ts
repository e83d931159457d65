// `node dist/bench/open.js`: time to open the latest version of tables with many commits
// (checkpoint every 10) or many active files, next to the raw cost of reading the same log files.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { DeltaTable } from '../src/index.js';
import { serializeCommit } from '../src/protocol/action-codec.js';
import type { Action } from '../src/protocol/actions.js';
import { commitPath } from '../src/protocol/log-paths.js';
import { writeCheckpoint } from '../src/ops/checkpoint.js';
import { readParquetBytes } from '../src/format/parquet.js';
import { LocalStore } from '../src/storage/local-store.js';
import { tempDir } from '../test/support/temp.js';

const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] });
const header: Action[] = [
  { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
  { metaData: { id: 'bench', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {}, createdTime: 0 } },
];
const add = (i: number): Action => ({ add: { path: `part-${i}.parquet`, partitionValues: {}, size: 100, modificationTime: 0, dataChange: true, stats: '{"numRecords":1}' } });

/**
 * A table of `commits` commits with a checkpoint every `checkpointEvery`. With `onlyLastCheckpoint`
 * only the newest of those checkpoints is written: opening the latest version reads nothing else,
 * and writing 10k growing checkpoints for a 100k-commit table would take hours.
 */
async function table(commits: number, filesPerCommit: number, checkpointEvery: number, onlyLastCheckpoint = false): Promise<string> {
  const uri = await tempDir('dlts-bench-open-');
  const store = new LocalStore(uri);
  let n = 0;
  for (let v = 0; v < commits; v++) {
    const actions: Action[] = v === 0 ? [...header] : [];
    for (let i = 0; i < filesPerCommit; i++) actions.push(add(n++));
    await store.putIfAbsent(commitPath(v), serializeCommit(actions));
    const last = Math.floor((commits - 1) / checkpointEvery) * checkpointEvery;
    if (v > 0 && v % checkpointEvery === 0 && (!onlyLastCheckpoint || v === last)) await writeCheckpoint(store, { version: v });
  }
  return uri;
}

async function measure(label: string, uri: string): Promise<void> {
  await DeltaTable.open(uri); // warm-up
  let t0 = performance.now();
  const t = await DeltaTable.open(uri);
  const openMs = performance.now() - t0;
  const log = path.join(uri, '_delta_log');
  const names = (await readdir(log)).sort();
  const cp = names.filter((n) => n.endsWith('.checkpoint.parquet')).at(-1);
  t0 = performance.now();
  if (cp) readParquetBytes(await readFile(path.join(log, cp)));
  const tail = names.filter((n) => n.endsWith('.json') && (!cp || n > cp.slice(0, 20)));
  for (const n of tail) JSON.parse('[' + (await readFile(path.join(log, n), 'utf8')).trim().split('\n').join(',') + ']');
  const floorMs = performance.now() - t0;
  console.log(`open ${label.padEnd(30)} version ${t.version}, ${t.snapshot.files.length} files: ${openMs.toFixed(1)} ms (raw read of checkpoint + tail ${floorMs.toFixed(1)} ms)  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
}

const peakMiB = (): string => (process.resourceUsage().maxRSS / 1024).toFixed(0);

if (process.argv[2] === '1m') {
  // 1M active files: 10 commits of 100k adds, checkpoint at version 10. Run alone for a clean peak RSS.
  const t = await table(11, 100_000, 10);
  console.log(`built the 1M-file table (peak RSS so far ${peakMiB()} MiB)`);
  await measure('1M files', t);
  console.log(`peak RSS after opening: ${peakMiB()} MiB`);
  const t0 = performance.now();
  await writeCheckpoint(new LocalStore(t));
  console.log(`checkpoint of 1M files: ${(performance.now() - t0).toFixed(0)} ms, peak RSS ${peakMiB()} MiB`);
} else {
  await measure('1k commits', await table(1_000, 1, 10));
  await measure('10k commits', await table(10_000, 1, 10));
  await measure('100k commits', await table(100_000, 1, 10, true));
  await measure('10k files', await table(11, 1_000, 10));
  await measure('100k files', await table(11, 10_000, 10));
  const big = await table(11, 10_000, 10);
  const store = new LocalStore(big);
  const t0 = performance.now();
  await writeCheckpoint(store);
  console.log(`checkpoint of 100k files: ${(performance.now() - t0).toFixed(0)} ms, peak RSS ${peakMiB()} MiB`);
  const oldUri = await table(10_000, 1, 10);
  let t1 = performance.now();
  await DeltaTable.open(oldUri, { version: 5_005 });
  console.log(`open at an old version (5,005 of a 10k-commit table): ${(performance.now() - t1).toFixed(1)} ms`);
  t1 = performance.now();
  await DeltaTable.open(oldUri, { version: 3 });
  console.log(`open at version 3 of a 10k-commit table (no checkpoint below): ${(performance.now() - t1).toFixed(1)} ms`);
}
