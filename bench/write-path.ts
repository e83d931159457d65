// `node dist/bench/write-path.js [runs]` (issue 13): the write and scan paths against raw
// parquet-wasm, side by side in one process, alternating, median of `runs` (default 5).
//   append: writeDeltaTable of 1M rows (5 columns, 2 of them strings) into a new table, against
//           writeParquetBytes of the same batches (Arrow IPC into wasm + encode, nothing else).
//   scan:   DeltaTable.scan of that table, against parquet-wasm's readParquet of the same file
//           through Arrow IPC (the only Arrow bridge available: arrow-js-ffi is not installed).
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { tableFromArrays, type RecordBatch } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../src/index.js';
import { readParquetBytes, writeParquetBytes } from '../src/format/parquet.js';
import { tempDir } from '../test/support/temp.js';

const RUNS = Number(process.argv[2] ?? 5);
const N = 1_000_000;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function genTable(n: number) {
  return tableFromArrays({
    id: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)),
    name: Array.from({ length: n }, (_, i) => `name-${i % 1000}`),
    value: Float64Array.from({ length: n }, (_, i) => i * 0.5),
    qty: Int32Array.from({ length: n }, (_, i) => (i * 7919) % 100_000),
    tag: Array.from({ length: n }, (_, i) => `tag-${(i * 2654435761) % 4294967296}-${i % 17}`),
  });
}

const input = genTable(N);
const batches: RecordBatch[] = input.batches;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`write-path bench: ${RUNS} runs, load average before ${load()}`);

const appendMs: number[] = [];
const rawWriteMs: number[] = [];
let lastUri = '';
for (let run = 0; run < RUNS + 1; run++) {
  const uri = await tempDir('dlts-bench-wpath-');
  let t0 = process.hrtime.bigint();
  await writeDeltaTable(uri, input);
  const a = ms(t0);
  t0 = process.hrtime.bigint();
  writeParquetBytes(batches);
  const r = ms(t0);
  if (run > 0) { appendMs.push(a); rawWriteMs.push(r); } // run 0 warms up
  lastUri = uri;
}
const ratios = appendMs.map((a, i) => rawWriteMs[i]! / a);
console.log(`append 1M rows x 5 cols  deltalake-ts median ${median(appendMs).toFixed(0)} ms (${fmt(N / (median(appendMs) / 1000))} rows/s)  raw parquet-wasm median ${median(rawWriteMs).toFixed(0)} ms  ratio median ${median(ratios).toFixed(2)} [${ratios.map((x) => x.toFixed(2)).join(' ')}]`);

const table = await DeltaTable.open(lastUri);
const files = (await table.files()).map((f) => path.join(lastUri, f.path));
const scanMs: number[] = [];
const rawReadMs: number[] = [];
for (let run = 0; run < RUNS + 1; run++) {
  let rows = 0;
  let t0 = process.hrtime.bigint();
  for await (const b of table.scan()) rows += b.numRows;
  const s = ms(t0);
  let rawRows = 0;
  t0 = process.hrtime.bigint();
  for (const f of files) for (const b of readParquetBytes(await readFile(f), { batchSize: 65_536 })) rawRows += b.numRows;
  const r = ms(t0);
  if (rows !== N || rawRows !== N) throw new Error(`read ${rows} / ${rawRows} rows, expected ${N}`);
  if (run > 0) { scanMs.push(s); rawReadMs.push(r); }
}
const scanRatios = scanMs.map((s, i) => rawReadMs[i]! / s);
console.log(`scan 1M rows x 5 cols    deltalake-ts median ${median(scanMs).toFixed(0)} ms  raw parquet-wasm IPC read median ${median(rawReadMs).toFixed(0)} ms  ratio median ${median(scanRatios).toFixed(2)} [${scanRatios.map((x) => x.toFixed(2)).join(' ')}]`);
console.log(`load average after ${load()}`);
