// `npm run bench`: prints figures and ratios; never asserted in tests.
//   scan:   rows/s of DeltaTable.scan over a generated 1M-row table and the largest corpus tables,
//           next to parquet-wasm's raw read (IPC path) of the same files.
//   append: rows/s of writeDeltaTable for 1M rows next to raw parquet-wasm writing the same batches.
//   commit: small-append latency (median, p99) next to the local put-if-absent floor.
//   dml:    MERGE upsert and DELETE vs a plain overwrite (bench/dml.ts), on 1M rows (BENCH_DML_ROWS).
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Float64, Int64, Utf8 } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../src/index.js';
import { readParquetBytes, writeParquetBytes } from '../src/format/parquet.js';
import { LocalStore } from '../src/storage/local-store.js';
import { batchOf, idBatch, tempDir } from '../test/support/temp.js';
import { corpusRoot } from '../test/support/paths.js';

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function genBatch(start: number, n: number) {
  return batchOf({
    id: { type: new Int64(), values: Array.from({ length: n }, (_, i) => BigInt(start + i)) },
    name: { type: new Utf8(), values: Array.from({ length: n }, (_, i) => `name-${(start + i) % 1000}`) },
    value: { type: new Float64(), values: Array.from({ length: n }, (_, i) => (start + i) * 0.5) },
  });
}

async function dataFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    if (e.isFile() && e.name.endsWith('.parquet') && !p.includes('_delta_log') && !p.includes('_change_data')) out.push(p);
  }
  return out;
}

async function scanBench(label: string, uri: string): Promise<void> {
  // Warm up once, then the best of 3 runs each: a 2-core machine is noisy.
  const table = await DeltaTable.open(uri);
  const files = (await table.files()).map((f) => path.join(uri, f.path));
  let rows = 0;
  let rawRows = 0;
  let deltaMs = Infinity;
  let rawMs = Infinity;
  for (let run = 0; run < 4; run++) {
    rows = 0;
    let t0 = process.hrtime.bigint();
    for await (const b of table.scan()) rows += b.numRows;
    if (run > 0) deltaMs = Math.min(deltaMs, ms(t0));
    rawRows = 0;
    t0 = process.hrtime.bigint();
    for (const f of files) for (const b of readParquetBytes(await readFile(f), { batchSize: 65_536 })) rawRows += b.numRows;
    if (run > 0) rawMs = Math.min(rawMs, ms(t0));
  }
  console.log(`scan  ${label.padEnd(34)} ${fmt(rows).padStart(9)} rows  deltalake-ts ${fmt(rows / (deltaMs / 1000)).padStart(11)} rows/s  raw ${fmt(rawRows / (rawMs / 1000)).padStart(11)} rows/s  ratio ${(rawMs / deltaMs).toFixed(2)}`);
}

const N = 1_000_000;
const BATCH = 100_000;
const batches = Array.from({ length: N / BATCH }, (_, i) => genBatch(i * BATCH, BATCH));

// append throughput
const appendUri = await tempDir('dlts-bench-append-');
let t0 = process.hrtime.bigint();
await writeDeltaTable(appendUri, batches);
const appendMs = ms(t0);
t0 = process.hrtime.bigint();
let rawBytes = 0;
rawBytes += writeParquetBytes(batches).length;
const rawWriteMs = ms(t0);
const written = (await DeltaTable.open(appendUri)).snapshot.files.reduce((s, f) => s + f.add.size, 0);
console.log(`append 1M rows   deltalake-ts ${fmt(N / (appendMs / 1000))} rows/s (${(written / 1e6 / (appendMs / 1000)).toFixed(1)} MB/s)  raw parquet-wasm ${fmt(N / (rawWriteMs / 1000))} rows/s (${(rawBytes / 1e6 / (rawWriteMs / 1000)).toFixed(1)} MB/s)  ratio ${(rawWriteMs / appendMs).toFixed(2)}`);

// scan throughput
await scanBench('generated 1M rows', appendUri);
const corpusTables = await readdir(path.join(corpusRoot, 'tables'));
const sized = await Promise.all(corpusTables.map(async (t) => {
  const files = await dataFiles(path.join(corpusRoot, 'tables', t));
  const bytes = (await Promise.all(files.map((f) => stat(f)))).reduce((s, x) => s + x.size, 0);
  return { t, bytes };
}));
for (const { t } of sized.sort((a, b) => b.bytes - a.bytes).slice(0, 3)) {
  try {
    await scanBench(`corpus ${t}`, path.join(corpusRoot, 'tables', t));
  } catch (err) {
    console.log(`scan  corpus ${t}: ${(err as Error).message}`);
  }
}

// small-append commit latency vs the put-if-absent floor
const small = await tempDir('dlts-bench-commit-');
await writeDeltaTable(small, genBatch(0, 1));
const lat: number[] = [];
for (let i = 0; i < 200; i++) {
  t0 = process.hrtime.bigint();
  await writeDeltaTable(small, genBatch(i, 1), { mode: 'append' });
  lat.push(ms(t0));
}
const floorStore = new LocalStore(await tempDir('dlts-bench-floor-'));
const floor: number[] = [];
for (let i = 0; i < 200; i++) {
  t0 = process.hrtime.bigint();
  await floorStore.putIfAbsent(`_delta_log/${String(i).padStart(20, '0')}.json`, new TextEncoder().encode('{"commitInfo":{}}\n'));
  floor.push(ms(t0));
}
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
console.log(`commit small append  median ${pct(lat, 0.5).toFixed(2)} ms  p99 ${pct(lat, 0.99).toFixed(2)} ms   put-if-absent floor median ${pct(floor, 0.5).toFixed(2)} ms  p99 ${pct(floor, 0.99).toFixed(2)} ms`);

// aggregate commits/s with 1, 2, 4, 8 writer processes appending to one table
const { startWorker } = await import('../test/support/processes.js');
for (const writers of [1, 2, 4, 8]) {
  const uri = await tempDir('dlts-bench-procs-');
  await writeDeltaTable(uri, idBatch([-1])); // the worker appends idBatch rows
  const perWriter = 20;
  t0 = process.hrtime.bigint();
  const runs = Array.from({ length: writers }, (_, w) => startWorker('append-worker', [uri, String(w), String(perWriter)]));
  await Promise.all(runs.map((r) => r.done));
  const total = writers * perWriter;
  const secs = ms(t0) / 1000;
  const version = (await DeltaTable.open(uri)).version;
  console.log(`commits ${writers} process(es) x ${perWriter} appends: ${(total / secs).toFixed(1)} commits/s aggregate (final version ${version}, expected ${total})`);
}

// DELETE / UPDATE / MERGE (bench/dml.ts; `node dist/bench/dml.js` runs the 10M-row, 1,000-file table)
const { runDmlBench } = await import('./dml.js');
await runDmlBench(Number(process.env.BENCH_DML_ROWS ?? 1_000_000), 1_000);
// http: the browser bundle's size, and first rows of a 10k-file table over HTTP on loopback (bench/http.ts)
await import('./http.js');
