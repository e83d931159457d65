// `node dist/bench/ffi-read.js` (issue 13): parquet-wasm's two Arrow bridges for reads, CPU time
// side by side: Arrow IPC (intoIPCStream + tableFromIPC, what src/ uses) against the Arrow C Data
// Interface (intoFFI). arrow-js-ffi is not installed, so the FFI side uses the minimal reader
// below (flat Int32/Int64/Float64/Utf8 columns, buffers copied out of wasm memory, as a safe
// reader must before the wasm table is freed): enough to measure, not a general reader.
import { Field, Float64, Int32, Int64, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, Utf8, vectorFromArray, type Data, type DataType } from 'apache-arrow';
import { readParquet, wasmMemory } from 'parquet-wasm';
import { writeParquetBytes } from '../src/format/parquet.js';

const N = 1_000_000;
const RUNS = Number(process.argv[2] ?? 9);

function cString(u8: Uint8Array, at: number): string {
  let end = at;
  while (u8[end] !== 0) end++;
  return new TextDecoder().decode(u8.subarray(at, end));
}

/** A struct ArrowArray/ArrowSchema pair (wasm32 layout: 4-byte pointers, 8-byte int64) as a RecordBatch. */
function batchFromFFI(arrayAt: number, schemaAt: number): RecordBatch {
  const mem = wasmMemory().buffer;
  const dv = new DataView(mem);
  const u8 = new Uint8Array(mem);
  const ptr = (at: number): number => dv.getUint32(at, true);
  const i64 = (at: number): number => Number(dv.getBigInt64(at, true));
  const count = i64(schemaAt + 24);
  const fields: Field[] = [];
  const children: Data[] = [];
  for (let c = 0; c < count; c++) {
    const s = ptr(ptr(schemaAt + 32) + 4 * c);
    const a = ptr(ptr(arrayAt + 44) + 4 * c);
    const format = cString(u8, ptr(s));
    const [length, nullCount, offset] = [i64(a), i64(a + 8), i64(a + 16)];
    const buffer = (i: number): number => ptr(ptr(a + 40) + 4 * i);
    const nullBitmap = buffer(0) !== 0 && nullCount > 0 ? u8.slice(buffer(0), buffer(0) + Math.ceil((offset + length) / 8)) : undefined;
    let type: DataType;
    let data: Data;
    if (format === 'u') {
      type = new Utf8();
      const valueOffsets = new Int32Array(mem, buffer(1) + 4 * offset, length + 1).slice();
      const first = valueOffsets[0]!;
      const values = u8.slice(buffer(2) + first, buffer(2) + valueOffsets[length]!);
      if (first !== 0) for (let i = 0; i <= length; i++) valueOffsets[i]! -= first;
      data = makeData({ type, offset: 0, length, nullCount, nullBitmap, valueOffsets, data: values } as never);
    } else {
      if (!['i', 'l', 'g'].includes(format)) throw new Error(`format ${format} is not handled by this measuring reader`);
      const width = format === 'i' ? 4 : 8;
      const bytes = mem.slice(buffer(1) + width * offset, buffer(1) + width * (offset + length));
      type = format === 'i' ? new Int32() : format === 'l' ? new Int64() : new Float64();
      const values = format === 'i' ? new Int32Array(bytes) : format === 'l' ? new BigInt64Array(bytes) : new Float64Array(bytes);
      data = makeData({ type, length, nullCount, nullBitmap, data: values } as never);
    }
    fields.push(new Field(cString(u8, ptr(s + 4)), type, true));
    children.push(data);
  }
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: i64(arrayAt), nullCount: 0, children }));
}

const columns = {
  id: vectorFromArray(BigInt64Array.from({ length: N }, (_, i) => BigInt(i))),
  name: vectorFromArray(Array.from({ length: N }, (_, i) => `name-${i % 1000}`), new Utf8()),
  value: vectorFromArray(Float64Array.from({ length: N }, (_, i) => i * 0.5)),
  qty: vectorFromArray(Int32Array.from({ length: N }, (_, i) => (i * 7919) % 100_000)),
  tag: vectorFromArray(Array.from({ length: N }, (_, i) => `tag-${(i * 2654435761) % 4294967296}-${i % 17}`), new Utf8()),
};
const fields = Object.entries(columns).map(([name, v]) => new Field(name, v.type, true));
const table = new Table([new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: N, nullCount: 0, children: Object.values(columns).map((v) => v.data[0]!) }))]);
const bytes = writeParquetBytes(table);

const cpuMs = <T>(f: () => T): [number, T] => {
  const c0 = process.cpuUsage();
  const out = f();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1000, out];
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const viaIPC: number[] = [];
const viaFFI: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const [a, ipc] = cpuMs(() => tableFromIPC(readParquet(bytes, { batchSize: 65_536 }).intoIPCStream()).batches);
  const [b, ffi] = cpuMs(() => {
    const wasm = readParquet(bytes, { batchSize: 65_536 });
    const out = wasm.recordBatches().map((rb) => {
      const exported = rb.intoFFI();
      const batch = batchFromFFI(exported.arrayAddr(), exported.schemaAddr());
      exported.free();
      return batch;
    });
    wasm.free();
    return out;
  });
  if (run === 0) {
    const rows = (bs: RecordBatch[]): string => bs.map((x) => JSON.stringify([x.get(0), x.get(x.numRows - 1)], (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).join();
    if (rows(ipc) !== rows(ffi)) throw new Error('the FFI reader read other values than the IPC path');
  }
  viaIPC.push(a);
  viaFFI.push(b);
}
console.log(`read 1M rows x 5 cols (decode + bridge), CPU median of ${RUNS}: IPC ${median(viaIPC).toFixed(0)} ms, FFI ${median(viaFFI).toFixed(0)} ms, IPC/FFI ${(median(viaIPC) / median(viaFFI)).toFixed(2)}`);
