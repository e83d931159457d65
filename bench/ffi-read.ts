// `node dist/bench/ffi-read.js [runs]` (issue 13): parquet-wasm's two Arrow bridges for reads, CPU
// time side by side in one process, alternating: Arrow IPC (intoIPCStream + tableFromIPC) against
// the Arrow C Data Interface (intoFFI + arrow-js-ffi's parseTable, buffers copied out of wasm
// memory, then freed), and the library's readParquetBytes (which takes the FFI bridge). Then
// 1,000 reads through the library, to show wasm memory and RSS stay flat (nothing left in wasm).
import { Field, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { parseTable } from 'arrow-js-ffi';
import { readParquet } from 'parquet-wasm';
import { readParquetBytes, writeParquetBytes } from '../src/format/parquet.js';
import { parquetWasm } from '../src/format/parquet-wasm-instance.js';

const N = 1_000_000;
const RUNS = Number(process.argv[2] ?? 9);

function makeTable(n: number): Table {
  const columns = {
    id: vectorFromArray(BigInt64Array.from({ length: n }, (_, i) => BigInt(i))),
    name: vectorFromArray(Array.from({ length: n }, (_, i) => `name-${i % 1000}`), new Utf8()),
    value: vectorFromArray(Float64Array.from({ length: n }, (_, i) => i * 0.5)),
    qty: vectorFromArray(Int32Array.from({ length: n }, (_, i) => (i * 7919) % 100_000)),
    tag: vectorFromArray(Array.from({ length: n }, (_, i) => `tag-${(i * 2654435761) % 4294967296}-${i % 17}`), new Utf8()),
  };
  const fields = Object.entries(columns).map(([name, v]) => new Field(name, v.type, true));
  return new Table([new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, nullCount: 0, children: Object.values(columns).map((v) => v.data[0]!) }))]);
}
const bytes = writeParquetBytes(makeTable(N));

const cpuMs = <T>(f: () => T): [number, T] => {
  const c0 = process.cpuUsage();
  const out = f();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1000, out];
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// The bench's own parquet-wasm import is the same module instance the library starts with.
const memory = (): ArrayBuffer => parquetWasm().wasmMemory().buffer;
const viaIPC = (): RecordBatch[] => tableFromIPC(readParquet(bytes, { batchSize: 65_536 }).intoIPCStream()).batches;
function viaFFI(): RecordBatch[] {
  const stream = readParquet(bytes, { batchSize: 65_536 }).intoFFI();
  try {
    return parseTable(memory(), stream.arrayAddrs(), stream.schemaAddr(), true).batches;
  } finally {
    stream.free();
  }
}
const viaLibrary = (): RecordBatch[] => readParquetBytes(bytes, { batchSize: 65_536 });

const sides = [viaIPC, viaFFI, viaLibrary];
const times: number[][] = sides.map(() => []);
for (let run = 0; run < RUNS + 1; run++) {
  const outs: RecordBatch[][] = [];
  for (let k = 0; k < sides.length; k++) {
    const side = (run + k) % sides.length;
    const [ms, out] = cpuMs(sides[side]!);
    outs[side] = out;
    if (run > 0) times[side]!.push(ms);
  }
  if (run === 0) {
    const rows = (bs: RecordBatch[]): string => bs.map((x) => JSON.stringify([x.get(0), x.get(x.numRows - 1)], (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).join();
    if (rows(outs[0]!) !== rows(outs[1]!) || rows(outs[0]!) !== rows(outs[2]!)) throw new Error('the bridges read different values');
  }
}
const [ipc, ffi, lib] = times.map(median) as [number, number, number];
console.log(`read 1M rows x 5 cols (decode + bridge), CPU median of ${RUNS}: IPC ${ipc.toFixed(0)} ms, FFI ${ffi.toFixed(0)} ms, readParquetBytes ${lib.toFixed(0)} ms; IPC/FFI ${(ipc / ffi).toFixed(2)}, IPC/readParquetBytes ${(ipc / lib).toFixed(2)}`);

// Leak check: 1,000 reads of a 20k-row file (a few MB decoded each, GBs in all had anything stayed in wasm).
const small = writeParquetBytes(makeTable(20_000));
const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
for (let i = 0; i < 50; i++) readParquetBytes(small);
const before = { wasm: memory().byteLength, rss: process.memoryUsage().rss };
for (let i = 0; i < 1000; i++) readParquetBytes(small);
const after = { wasm: memory().byteLength, rss: process.memoryUsage().rss };
console.log(`1,000 reads of 20k rows: wasm memory ${mib(before.wasm)} -> ${mib(after.wasm)} MiB, RSS ${mib(before.rss)} -> ${mib(after.rss)} MiB`);
