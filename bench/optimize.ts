// `node dist/bench/optimize.js [zRows] [smallFiles] [rowsPerSmallFile] [streamBatches]`: OPTIMIZE figures (issue 15).
//   zorder:  a table of random x, y (zRows rows in 40 files); the fraction of files that file
//            skipping keeps for `x < p10 AND y < p10`, before and after OPTIMIZE ZORDER BY (x, y).
//   compact: smallFiles files of rowsPerSmallFile rows in one commit; OPTIMIZE time, files after,
//            and a full scan before / after.
//   stream:  streamBatches sink batches of 100 rows (8,640 is a day of 10-second batches), with
//            and without autoCompact: time, files at the end, full scan at the end.
import { Float64, Int64, Utf8 } from 'apache-arrow';
import path from 'node:path';
import { DeltaTable, writeDeltaTable } from '../src/index.js';
import { bindFilter } from '../src/ops/read/filter.js';
import { pruneFiles } from '../src/ops/read/scan.js';
import { batchOf, tempDir } from '../test/support/temp.js';

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const [zRows = 1_000_000, smallFiles = 2_000, rowsPerSmall = 1_000, streamBatches = 864] = process.argv.slice(2).map(Number);

let seed = 42;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

function xyBatch(start: number, n: number) {
  return batchOf({
    id: { type: new Int64(), values: Array.from({ length: n }, (_, i) => BigInt(start + i)) },
    x: { type: new Float64(), values: Array.from({ length: n }, rand) },
    y: { type: new Float64(), values: Array.from({ length: n }, rand) },
    s: { type: new Utf8(), values: Array.from({ length: n }, (_, i) => `row-${(start + i) % 9973}`) },
  });
}

async function fractionRead(uri: string): Promise<{ read: number; files: number }> {
  const t = await DeltaTable.open(uri);
  // Uniform x, y in [0, 1): p10 is 0.1.
  const filter = bindFilter([['x', '<', 0.1], ['y', '<', 0.1]], t.snapshot.schema);
  return { read: pruneFiles(t.snapshot, filter).length, files: t.snapshot.files.length };
}

async function scanMs(uri: string): Promise<{ ms: number; rows: number }> {
  const t = await DeltaTable.open(uri);
  const t0 = process.hrtime.bigint();
  let rows = 0;
  for await (const b of t.scan()) rows += b.numRows;
  return { ms: ms(t0), rows };
}

async function zorderBench(): Promise<void> {
  const uri = path.join(await tempDir('dlts-bench-z-'), 't');
  const files = 40;
  const per = Math.ceil(zRows / files);
  const batches = Array.from({ length: files }, (_, f) => xyBatch(f * per, per));
  await writeDeltaTable(uri, batches, { targetFileSizeBytes: 1 }); // one file per batch
  const before = await fractionRead(uri);
  const bytes = (await (await DeltaTable.open(uri)).files()).reduce((s, f) => s + f.size, 0);
  const t0 = process.hrtime.bigint();
  const r = await (await DeltaTable.open(uri)).optimize({ zOrderBy: ['x', 'y'], targetSizeBytes: Math.ceil(bytes / files) });
  const took = ms(t0);
  const after = await fractionRead(uri);
  console.log(`zorder: ${zRows} rows, ${files} files -> ${r.numFilesAdded} files in ${(took / 1000).toFixed(1)} s`);
  console.log(`zorder: files read for x < p10 AND y < p10: before ${before.read}/${before.files} (${(100 * before.read / before.files).toFixed(1)}%), after ${after.read}/${after.files} (${(100 * after.read / after.files).toFixed(1)}%)`);
}

async function compactBench(): Promise<void> {
  const uri = path.join(await tempDir('dlts-bench-c-'), 't');
  const batches = Array.from({ length: smallFiles }, (_, f) => xyBatch(f * rowsPerSmall, rowsPerSmall));
  await writeDeltaTable(uri, batches, { targetFileSizeBytes: 1 });
  const sizes = (await (await DeltaTable.open(uri)).files()).map((f) => f.size);
  const avgKb = sizes.reduce((s, n) => s + n, 0) / sizes.length / 1024;
  const scanBefore = await scanMs(uri);
  const rssBefore = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  const r = await (await DeltaTable.open(uri)).optimize();
  const took = ms(t0);
  const scanAfter = await scanMs(uri);
  console.log(`compact: ${smallFiles} files of ${rowsPerSmall} rows (avg ${avgKb.toFixed(1)} KiB) -> ${r.numFilesAdded} file(s) in ${(took / 1000).toFixed(1)} s; rss before ${(rssBefore / 2 ** 20).toFixed(0)} MiB, peak RSS of the process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(`compact: full scan of ${scanBefore.rows} rows before ${scanBefore.ms.toFixed(0)} ms, after ${scanAfter.ms.toFixed(0)} ms (${(scanBefore.ms / scanAfter.ms).toFixed(1)}x)`);
}

async function streamBench(autoCompact: boolean): Promise<void> {
  const uri = path.join(await tempDir('dlts-bench-s-'), 't');
  const sink = DeltaTable.writeStream(uri, { appId: 'bench', autoCompact });
  const t0 = process.hrtime.bigint();
  let compactions = 0;
  for (let b = 0; b < streamBatches; b++) {
    const r = await sink.write(b, xyBatch(b * 100, 100));
    if (r.autoCompaction && r.autoCompaction.numFilesRemoved > 0) compactions++;
  }
  const took = ms(t0);
  const files = (await DeltaTable.open(uri)).snapshot.files.length;
  const scan = await scanMs(uri);
  console.log(`stream: ${streamBatches} batches, autoCompact ${autoCompact}: ${(took / 1000).toFixed(1)} s (${(took / streamBatches).toFixed(1)} ms/batch), ${compactions} compactions, ${files} files at the end, full scan of ${scan.rows} rows ${scan.ms.toFixed(0)} ms`);
}

const only = process.env.BENCH_ONLY;
if (!only || only === 'zorder') await zorderBench();
if (!only || only === 'compact') await compactBench();
if (!only || only === 'stream') {
  await streamBench(false);
  await streamBench(true);
}
