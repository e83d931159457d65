import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, List, makeData, RecordBatch, Schema, Struct, Table,
  tableFromIPC, TimestampMicrosecond, Utf8, vectorFromArray, type Data, type DataType,
} from 'apache-arrow';
import { readParquetBytes, readParquetSchema, writeParquetBytes } from '../../../src/format/parquet.js';
import { parquetWasm } from '../../../src/format/parquet-wasm-instance.js';

const N = 5_000;
const nth = <T>(f: (i: number) => T): Array<T | null> => Array.from({ length: N }, (_, i) => (i % 7 === 3 ? null : f(i)));
const vec = (values: unknown[], type: DataType): Data => vectorFromArray(values as never, type as never).data[0]!;

function decimals(): Data {
  const words = new Uint32Array(4 * N);
  const nullBitmap = new Uint8Array(Math.ceil(N / 8)).fill(0xff);
  for (let i = 0; i < N; i++) {
    const v = BigInt.asUintN(128, BigInt(i * 12345 - 3_000_000));
    for (let w = 0; w < 4; w++) words[4 * i + w] = Number((v >> BigInt(32 * w)) & 0xffffffffn);
    if (i % 5 === 0) nullBitmap[i >> 3]! &= ~(1 << (i & 7));
  }
  return makeData({ type: new Decimal(2, 12, 128), length: N, nullCount: Math.ceil(N / 5), nullBitmap, data: words });
}

/** One batch of every flat and nested type the library writes, with nulls in each column. */
function everyType(): Table {
  const struct = new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]);
  const columns: Array<[string, Data]> = [
    ['i8', vec(nth((i) => (i % 200) - 100), new Int8())],
    ['i16', vec(nth((i) => i - 2_000), new Int16())],
    ['i32', vec(nth((i) => i * 7919), new Int32())],
    ['i64', vec(nth((i) => BigInt(i) * 10_000_000_000n), new Int64())],
    ['f32', vec(nth((i) => i / 4), new Float32())],
    ['f64', vec(nth((i) => i * 0.1), new Float64())],
    ['bool', vec(nth((i) => i % 3 === 0), new Bool())],
    ['utf8', vec(nth((i) => `s-${i}-${'x'.repeat(i % 40)}`), new Utf8())],
    ['bin', vec(nth((i) => Uint8Array.of(i & 255, i >> 8)), new Binary())],
    ['date', vec(nth((i) => new Date(Date.UTC(2020, 0, 1 + i))), new DateDay())],
    ['ts', vec(nth((i) => 1_700_000_000_000 + i), new TimestampMicrosecond('UTC'))],
    ['dec', decimals()],
    ['list', vec(nth((i) => Array.from({ length: i % 4 }, (_, k) => (k === 1 ? null : i + k))), new List(new Field('element', new Int32(), true)))],
    ['struct', vec(nth((i) => ({ a: i % 11 === 0 ? null : i, b: `b${i}` })), struct)],
  ];
  const fields = columns.map(([name, d]) => new Field(name, d.type, true));
  return new Table([new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: N, nullCount: 0, children: columns.map(([, d]) => d) }))]);
}

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? [...x] : x)));

test('the C Data Interface bridge reads the same types and values as the Arrow IPC bridge, nulls included', () => {
  const bytes = writeParquetBytes(everyType(), { rowGroupSize: 2_000 });
  const viaIPC = tableFromIPC(parquetWasm().readParquet(bytes, { batchSize: 1_500 }).intoIPCStream());
  const viaFFI = new Table(readParquetBytes(bytes, { batchSize: 1_500 }));
  assert.deepEqual(viaFFI.schema.fields.map((f) => `${f.name}: ${String(f.type)} ${f.nullable}`), viaIPC.schema.fields.map((f) => `${f.name}: ${String(f.type)} ${f.nullable}`));
  assert.deepEqual(viaFFI.batches.map((b) => b.numRows), viaIPC.batches.map((b) => b.numRows));
  for (const f of viaIPC.schema.fields) {
    assert.deepEqual(plain(viaFFI.getChild(f.name)!.toArray()), plain(viaIPC.getChild(f.name)!.toArray()), f.name);
    assert.equal(viaFFI.getChild(f.name)!.nullCount, viaIPC.getChild(f.name)!.nullCount, f.name);
  }
  assert.equal(String(readParquetSchema(bytes).fields.map((f) => f.type)), String(viaIPC.schema.fields.map((f) => f.type)));
});

test('batches read through the C Data Interface own their buffers: they outlive wasm memory growth and later reads', () => {
  const first = readParquetBytes(writeParquetBytes(everyType()));
  const before = plain(new Table(first).getChild('utf8')!.toArray());
  const memory = parquetWasm().wasmMemory();
  for (const b of first) for (const c of b.data.children) assert.notEqual(c.values?.buffer, memory.buffer);
  // Grow wasm memory (detaching its old buffer) and overwrite freed space with other decodes.
  memory.grow(64);
  for (let i = 0; i < 20; i++) readParquetBytes(writeParquetBytes(everyType()));
  assert.deepEqual(plain(new Table(first).getChild('utf8')!.toArray()), before);
});

test('1,000 reads through the C Data Interface leave nothing allocated in wasm memory (it does not grow)', () => {
  const bytes = writeParquetBytes(everyType());
  const memory = parquetWasm().wasmMemory();
  for (let i = 0; i < 20; i++) readParquetBytes(bytes);
  const before = memory.buffer.byteLength;
  let rows = 0;
  for (let i = 0; i < 1_000; i++) for (const b of readParquetBytes(bytes)) rows += b.numRows;
  assert.equal(rows, 1_000 * N);
  // A kept table of these 5,000 rows is ~300 KB: 1,000 of them would grow the memory by ~300 MB.
  assert.equal(memory.buffer.byteLength, before);
});
