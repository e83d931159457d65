// `node --expose-gc dist/bench/soak.js [commits] [rowsPerBatch] [checkpointInterval]`: issue 13's
// soak, a long-lived stream sink and a stream source in one process, accelerated (no waiting
// between batches): the sink commits `commits` micro-batches (default 100,000) while a readStream
// (with its own checkpoint location) tails the table. Memory is sampled after a full GC every
// tenth of the run: a long-lived writer's and reader's memory must stay flat however many commits
// pass. Without compaction every batch is one more file, so the table is made with a checkpoint
// every 1,000 commits (default): with Delta's default of 10, checkpoints of up to 100k files
// every 10 commits would make the run quadratic in files, which is what autoCompact is for.
import path from 'node:path';
import { DeltaTable } from '../src/index.js';
import { idBatch, tempDir } from '../test/support/temp.js';

const COMMITS = Number(process.argv[2] ?? 100_000);
const ROWS = Number(process.argv[3] ?? 10);
const CHECKPOINT_INTERVAL = Number(process.argv[4] ?? 1_000);
const gc = (globalThis as { gc?: () => void }).gc;

const root = await tempDir('dlts-soak-');
const uri = path.join(root, 'bronze');
const sink = DeltaTable.writeStream(uri, { appId: 'soak', properties: { 'delta.checkpointInterval': String(CHECKPOINT_INTERVAL) } });
await sink.write(0, idBatch(Array.from({ length: ROWS }, (_, i) => i)));

const reader = DeltaTable.readStream(uri, { checkpointLocation: path.join(root, 'checkpoint'), pollIntervalMs: 5 });
let rowsRead = 0;
let lastBatchSeen = -1;
let writing = true;
const readLoop = (async () => {
  for await (const batch of reader) {
    rowsRead += batch.data.numRows;
    await reader.commit(batch);
    lastBatchSeen = batch.batchId;
    if (!writing && rowsRead >= COMMITS * ROWS) break;
  }
})();

const samples: Array<{ commits: number; rssMiB: number; heapMiB: number; externalMiB: number; rowsRead: number; msPerCommit: number }> = [];
const sample = (commits: number, msPerCommit: number): void => {
  gc?.();
  const m = process.memoryUsage();
  samples.push({ commits, rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20, externalMiB: (m.external + m.arrayBuffers) / 2 ** 20, rowsRead, msPerCommit });
  const s = samples.at(-1)!;
  console.log(`${String(commits).padStart(7)} commits  rss ${s.rssMiB.toFixed(0).padStart(4)} MiB  heap ${s.heapMiB.toFixed(1).padStart(6)} MiB  external ${s.externalMiB.toFixed(1).padStart(6)} MiB  rows read ${rowsRead}  ${msPerCommit.toFixed(2)} ms/commit`);
};

const data = idBatch(Array.from({ length: ROWS }, (_, i) => i));
const every = Math.max(1, Math.floor(COMMITS / 10));
let t0 = performance.now();
sample(1, 0);
for (let b = 1; b < COMMITS; b++) {
  await sink.write(b, data);
  if ((b + 1) % every === 0) {
    sample(b + 1, (performance.now() - t0) / every);
    t0 = performance.now();
  }
}
writing = false;
await readLoop;
await reader.close();
const table = await DeltaTable.open(uri);
const warm = samples[1] ?? samples[0]!;
const last = samples.at(-1)!;
console.log(`soak: ${COMMITS} commits of ${ROWS} rows, checkpoint every ${CHECKPOINT_INTERVAL}; table at v${table.version}, ${table.snapshot.files.length} files; the reader read ${rowsRead} rows (expected ${COMMITS * ROWS}), last batch ${lastBatchSeen}`);
console.log(`memory after a GC, from the first tenth to the end: rss ${warm.rssMiB.toFixed(0)} -> ${last.rssMiB.toFixed(0)} MiB (x${(last.rssMiB / warm.rssMiB).toFixed(2)}), heap ${warm.heapMiB.toFixed(1)} -> ${last.heapMiB.toFixed(1)} MiB (x${(last.heapMiB / warm.heapMiB).toFixed(2)})${gc ? '' : ' (run with --expose-gc for exact heap figures)'}`);
