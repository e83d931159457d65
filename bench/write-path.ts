// `node dist/bench/write-path.js [runs]` (issue 13): the write and scan paths against raw
// parquet-wasm, side by side in one process, alternating, median of `runs` (default 5).
//   append: writeDeltaTable of 1M rows (5 columns, 2 of them strings) into a new table, against
//           the raw parquet-wasm write of the same batches with the same writer properties:
//           tableToIPC -> Table.fromIPCStream -> writeParquet (parquet-wasm 0.8 has no way into
//           wasm but IPC), nothing else (no file written); the raw side's bridge and encode are
//           also timed apart. A third side keeps the raw bytes as a file (create, write, fsync,
//           close), the part of an append's cost that the encode-only side leaves out.
//   scan:   DeltaTable.scan of that table, against parquet-wasm's readParquet of the same file
//           (read with readFile) through each Arrow bridge: IPC (intoIPCStream + tableFromIPC)
//           and the C Data Interface (intoFFI + arrow-js-ffi parseTable, buffers copied, freed).
import { open, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Field, makeData, RecordBatch, Schema, Struct, Table, tableFromArrays, tableFromIPC, tableToIPC, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { parseTable } from 'arrow-js-ffi';
import { Compression, EnabledStatistics, readParquet, Table as WasmTable, wasmMemory, writeParquet, WriterPropertiesBuilder } from 'parquet-wasm';
import { DeltaTable, writeDeltaTable } from '../src/index.js';
import { tempDir } from '../test/support/temp.js';

const RUNS = Number(process.argv[2] ?? 5);
const N = 1_000_000;
// Wall time and this process's CPU time (user + system) of each side: with other processes
// competing for the 2 cores, CPU time is the steadier measure of the work each side does.
interface Mark { wall: bigint; cpu: NodeJS.CpuUsage }
const mark = (): Mark => ({ wall: process.hrtime.bigint(), cpu: process.cpuUsage() });
const since = (m: Mark): { wall: number; cpu: number } => {
  const c = process.cpuUsage(m.cpu);
  return { wall: Number(process.hrtime.bigint() - m.wall) / 1e6, cpu: (c.user + c.system) / 1e3 };
};
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
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`write-path bench: ${RUNS} runs, load average before ${load()}`);

type Sample = { wall: number; cpu: number };
function report(label: string, ours: Sample[], raw: Sample[], rawLabel: string): void {
  for (const k of ['wall', 'cpu'] as const) {
    const a = ours.map((s) => s[k]);
    const r = raw.map((s) => s[k]);
    const ratios = a.map((x, i) => r[i]! / x);
    console.log(`${label} ${k.padEnd(4)} deltalake-ts median ${median(a).toFixed(0)} ms (${fmt(N / (median(a) / 1000))} rows/s)  ${rawLabel} median ${median(r).toFixed(0)} ms  ratio median ${median(ratios).toFixed(2)} [${ratios.map((x) => x.toFixed(2)).join(' ')}]`);
  }
}

// The raw write: what writeParquetBytes does, spelled out in parquet-wasm's own calls.
const bridgeMs: number[] = [];
const encodeMs: number[] = [];
function rawWrite(data: Table): void {
  const c0 = process.cpuUsage();
  const wasm = WasmTable.fromIPCStream(tableToIPC(data, 'stream'));
  const c1 = process.cpuUsage();
  writeParquet(wasm, new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).setStatisticsEnabled(EnabledStatistics.Page).build());
  const c2 = process.cpuUsage(c1);
  const c = process.cpuUsage(c0);
  bridgeMs.push((c.user + c.system - c2.user - c2.system) / 1e3);
  encodeMs.push((c2.user + c2.system) / 1e3);
}

// The raw write kept as a file: encode as above, then create, write, fsync and close the file
// (what any durable Parquet write pays, and what an append pays for its data file).
async function rawWriteFile(data: Table, dir: string): Promise<void> {
  const bytes = writeParquet(WasmTable.fromIPCStream(tableToIPC(data, 'stream')), new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).setStatisticsEnabled(EnabledStatistics.Page).build());
  const handle = await open(path.join(dir, 'raw.parquet'), 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function appendBench(label: string, data: Table): Promise<string> {
  const ours: Sample[] = [];
  const raw: Sample[] = [];
  const rawFile: Sample[] = [];
  bridgeMs.length = 0;
  encodeMs.length = 0;
  let lastUri = '';
  for (let run = 0; run < RUNS + 1; run++) {
    const uri = await tempDir('dlts-bench-wpath-');
    const rawDir = await tempDir('dlts-bench-wpath-raw-');
    // Rotate which side goes first, so none always runs after another's garbage.
    const sides = [
      async () => { const m = mark(); await writeDeltaTable(uri, data); return since(m); },
      async () => { const m = mark(); rawWrite(data); return since(m); },
      async () => { const m = mark(); await rawWriteFile(data, rawDir); return since(m); },
    ];
    const out: Sample[] = [];
    for (let k = 0; k < sides.length; k++) {
      const i = (k + run) % sides.length;
      out[i] = await sides[i]!();
    }
    if (run > 0) { ours.push(out[0]!); raw.push(out[1]!); rawFile.push(out[2]!); } // run 0 warms up
    lastUri = uri;
  }
  report(`append 1M rows x 5 cols, ${label}`, ours, raw, 'raw parquet-wasm write');
  console.log(`  raw write CPU split, median: IPC bridge into wasm ${median(bridgeMs).toFixed(0)} ms, writeParquet ${median(encodeMs).toFixed(0)} ms`);
  report(`append 1M rows x 5 cols, ${label}`, ours, rawFile, 'raw write + file (write, fsync)');
  return lastUri;
}

// Strings as plain Utf8 vectors, and as tableFromArrays makes them from JS strings (dictionaries,
// which a Delta string column stores decoded; raw parquet-wasm writes them as they are). Every
// field nullable, as the table's columns are (a non-null Arrow field would let the raw write skip
// definition levels that the Delta file has).
function nullableTable(columns: Record<string, Vector>): Table {
  const fields = Object.entries(columns).map(([name, v]) => new Field(name, v.type, true));
  const data = makeData({ type: new Struct(fields), length: N, nullCount: 0, children: Object.values(columns).map((v) => v.data[0]!) });
  return new Table([new RecordBatch(new Schema(fields), data)]);
}
const column = (name: 'id' | 'name' | 'value' | 'qty' | 'tag'): Vector => input.getChild(name)! as Vector;
const plain = nullableTable({
  id: column('id'), name: vectorFromArray([...column('name')], new Utf8()), value: column('value'), qty: column('qty'), tag: vectorFromArray([...column('tag')], new Utf8()),
});
const dictionary = nullableTable({ id: column('id'), name: column('name'), value: column('value'), qty: column('qty'), tag: column('tag') });
const lastUri = await appendBench('Utf8 strings', plain);
await appendBench('dictionary strings', dictionary);

const table = await DeltaTable.open(lastUri);
const files = (await table.files()).map((f) => path.join(lastUri, f.path));
const scans: Sample[] = [];
const rawIPC: Sample[] = [];
const rawFFI: Sample[] = [];
const readIPC = (bytes: Uint8Array): number => tableFromIPC(readParquet(bytes, { batchSize: 65_536 }).intoIPCStream()).numRows;
function readFFI(bytes: Uint8Array): number {
  const stream = readParquet(bytes, { batchSize: 65_536 }).intoFFI();
  try {
    return parseTable(wasmMemory().buffer, stream.arrayAddrs(), stream.schemaAddr(), true).numRows;
  } finally {
    stream.free();
  }
}
async function rawRead(read: (bytes: Uint8Array) => number): Promise<Sample> {
  let rows = 0;
  const m = mark();
  for (const f of files) rows += read(await readFile(f));
  const s = since(m);
  if (rows !== N) throw new Error(`read ${rows} rows, expected ${N}`);
  return s;
}
for (let run = 0; run < RUNS + 1; run++) {
  let rows = 0;
  const sides = [
    async () => {
      const m = mark();
      for await (const b of table.scan()) rows += b.numRows;
      return since(m);
    },
    () => rawRead(readIPC),
    () => rawRead(readFFI),
  ];
  // Rotate the order, so no side always runs after another's garbage.
  const out: Sample[] = [];
  for (let k = 0; k < sides.length; k++) {
    const side = (run + k) % sides.length;
    out[side] = await sides[side]!();
  }
  if (rows !== N) throw new Error(`scanned ${rows} rows, expected ${N}`);
  if (run > 0) { scans.push(out[0]!); rawIPC.push(out[1]!); rawFFI.push(out[2]!); }
}
report('scan 1M rows x 5 cols', scans, rawIPC, 'raw parquet-wasm IPC read');
report('scan 1M rows x 5 cols', scans, rawFFI, 'raw parquet-wasm FFI read');
console.log(`load average after ${load()}`);
