import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { makeData, RecordBatch, Struct, vectorFromArray, type Data, type DataType } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { readParquetBytes, writeParquetBytes } from '../../src/format/parquet.js';
import { parseFooter } from '../../src/format/parquet-footer.js';
import type { ThriftStruct } from '../../src/format/thrift-compact.js';
import { FileStatsCollector } from '../../src/ops/write/file-stats.js';
import { statsFromFooter } from '../../src/ops/write/footer-stats.js';
import { parseSchemaString, type StructField, type StructType } from '../../src/protocol/schema.js';
import { deltaToArrowSchema } from '../../src/protocol/arrow-schema.js';
import { corpusRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

const SEED = Number(process.env.FC_SEED ?? 20261202);

/** Parquet keeps min -0.0 / max 0.0 for zeros whichever zero was seen; the JS pass keeps the first. Equal for readers. */
const sameZeros = (json: string): string => json.replace(/:-0\.0(?=[,}])/g, ':0.0');

function statsBothWays(fields: StructField[], batches: RecordBatch[], rowGroupSize?: number): { js: string; footer: string } {
  const js = new FileStatsCollector(fields, (f) => f.name, 32);
  for (const b of batches) js.add(b);
  const bytes = writeParquetBytes(batches, rowGroupSize ? { rowGroupSize } : {});
  const footer = parseFooter(bytes, bytes.length) as { metadata: ThriftStruct };
  return { js: sameZeros(js.toJson()), footer: sameZeros(statsFromFooter(new FileStatsCollector(fields, (f) => f.name, 32), footer.metadata, batches)) };
}

const CORPUS = [
  'dat-multi_partitioned', 'data-reader-nested-struct', 'decimal-various-scale-precision', 'parquet-all-types', 'kernel-timestamp-int96',
  'data-reader-escaped-chars', 'data-reader-primitives', 'data-reader-date-types-utc', 'data-reader-timestamp_ntz', 'table_with_edge_timestamps',
  'mixed-nulls', 'basic-decimal-table', 'data-reader-map', 'data-reader-array-complex-objects', 'type-widening',
];

for (const name of CORPUS) {
  test(`footer statistics equal the JS statistics on the round trip of ${name}`, async () => {
    const source = await DeltaTable.open(path.join(corpusRoot, 'tables', name));
    const uri = await tempDir('dlts-fs-');
    await writeDeltaTable(uri, await source.toArrow(), { partitionBy: source.partitionColumns, nullability: 'arrow', zonelessTimestamps: 'timestamp_ntz' });
    const log = (await readFile(path.join(uri, '_delta_log', '00000000000000000000.json'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const metaData = log.find((l) => l.metaData).metaData as { schemaString: string; partitionColumns: string[] };
    const parts = new Set(metaData.partitionColumns);
    const dataFields = parseSchemaString(metaData.schemaString, 'test').fields.filter((f) => !parts.has(f.name));
    const adds = log.filter((l) => l.add).map((l) => l.add as { path: string; stats: string });
    assert.ok(adds.length > 0);
    for (const add of adds) {
      const batches = readParquetBytes(await readFile(path.join(uri, decodeURIComponent(add.path))));
      const js = new FileStatsCollector(dataFields, (f) => f.name, 32);
      for (const b of batches) js.add(b);
      assert.equal(sameZeros(add.stats), sameZeros(js.toJson()), add.path);
    }
  });
}

// Adversarial values per Delta type; null anywhere.
const MAX_LONG = 2n ** 63n - 1n;
const longs = fc.oneof(fc.bigInt({ min: -MAX_LONG - 1n, max: MAX_LONG }), fc.constantFrom(-MAX_LONG - 1n, MAX_LONG, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 0n));
const doubles = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, -Number.MIN_VALUE));
const floats = fc.oneof(fc.float(), fc.constantFrom(NaN, Infinity, -0, 3.4028234663852886e38));
const prefix = 'p'.repeat(30);
const strings = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 70 }).map((s) => prefix + s),
  fc.constantFrom('', '\u{10ffff}'.repeat(20), '\u{1F600}'.repeat(40), `${prefix}\u{1F600}\u{1F600}x`, 'é'.repeat(40), '\u007f'.repeat(33)),
);
const days = fc.oneof(fc.integer({ min: -800_000, max: 3_000_000 }), fc.constantFrom(-719_162, -719_163, 2_932_896, 2_932_897, 0));
const micros = fc.oneof(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), fc.constantFrom(-62_135_596_800_000_000n, -62_135_596_800_000_001n, 253_402_300_799_999_999n, 253_402_300_800_000_000n, 1n, -1n));
const dec38 = fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n });
const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { freq: 5, nil: null });

const leaf = (name: string, type: StructField['type']): StructField => ({ name, type, nullable: true, metadata: {} });
const SCHEMA: StructType = { type: 'struct', fields: [
  leaf('l', 'long'), leaf('i', 'integer'), leaf('sh', 'short'), leaf('b', 'byte'), leaf('d', 'double'), leaf('f', 'float'),
  leaf('s', 'string'), leaf('day', 'date'), leaf('ts', 'timestamp'), leaf('ntz', 'timestamp_ntz'), leaf('dec', 'decimal(38,4)'),
  leaf('dec9', 'decimal(9,2)'), leaf('ok', 'boolean'), leaf('bin', 'binary'),
  { name: 'st', type: { type: 'struct', fields: [leaf('x', 'long'), leaf('y', 'string')] }, nullable: false, metadata: {} },
] };

const row = fc.record({
  l: nullable(longs), i: nullable(fc.integer()), sh: nullable(fc.integer({ min: -32768, max: 32767 })), b: nullable(fc.integer({ min: -128, max: 127 })),
  d: nullable(doubles), f: nullable(floats), s: nullable(strings), day: nullable(days), ts: nullable(micros), ntz: nullable(micros),
  dec: nullable(dec38), dec9: nullable(fc.bigInt({ min: -999_999_999n, max: 999_999_999n })), ok: nullable(fc.boolean()),
  bin: nullable(fc.uint8Array({ maxLength: 4 })), x: nullable(longs), y: nullable(strings),
});
type Row = typeof row extends fc.Arbitrary<infer R> ? R : never;

function validity(values: ReadonlyArray<unknown>): Uint8Array {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => { if (v !== null) bits[i >> 3]! |= 1 << (i & 7); });
  return bits;
}

/** Column data of the Arrow type the table uses, built from plain values (typed buffers where vectorFromArray is lossy). */
function column(type: DataType, values: ReadonlyArray<unknown>): Data {
  const nullCount = values.filter((v) => v === null).length;
  const common = { type, length: values.length, nullCount, nullBitmap: validity(values) } as const;
  const typeId = String(type);
  if (typeId.startsWith('Decimal')) {
    const words = new Uint32Array(values.length * 4);
    values.forEach((v, i) => { for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((BigInt.asUintN(128, (v as bigint | null) ?? 0n) >> BigInt(32 * w)) & 0xffffffffn); });
    return makeData({ ...common, data: words } as never);
  }
  if (typeId === 'Int64' || typeId.startsWith('Timestamp')) return makeData({ ...common, data: BigInt64Array.from(values, (v) => (v as bigint | null) ?? 0n) } as never);
  if (typeId.startsWith('Date')) return makeData({ ...common, data: Int32Array.from(values, (v) => (v as number | null) ?? 0) } as never);
  return vectorFromArray(values as never[], type as never).data[0]!;
}

function batchOf(rows: Row[]): RecordBatch {
  const schema = deltaToArrowSchema(SCHEMA);
  const children = schema.fields.map((f) => {
    if (f.name !== 'st') return column(f.type, rows.map((r) => r[f.name as keyof Row]));
    const st = f.type as Struct;
    const kids = [column(st.children[0]!.type, rows.map((r) => r.x)), column(st.children[1]!.type, rows.map((r) => r.y))];
    return makeData({ type: st, length: rows.length, nullCount: 0, children: kids });
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}

test('footer statistics equal the JS statistics on random adversarial data, over several row groups and batches', () => {
  fc.assert(
    fc.property(fc.array(fc.array(row, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 8 }), (chunks, rowGroupSize) => {
      const { js, footer } = statsBothWays(SCHEMA.fields, chunks.map(batchOf), rowGroupSize);
      assert.equal(footer, js);
    }),
    { seed: SEED, numRuns: 150, verbose: true },
  );
});

test('footer statistics: a nested leaf under a null struct counts as null and its hidden value is no bound', () => {
  const schema: StructType = { type: 'struct', fields: [{ name: 'st', type: { type: 'struct', fields: [leaf('x', 'long')] }, nullable: true, metadata: {} }] };
  const arrow = deltaToArrowSchema(schema);
  const st = arrow.fields[0]!.type as Struct;
  const x = column(st.children[0]!.type, [1n, 100n, 3n]);
  const sd = makeData({ type: st, length: 3, nullCount: 1, nullBitmap: new Uint8Array([0b101]), children: [x] });
  const batch = new RecordBatch(arrow, makeData({ type: new Struct(arrow.fields), length: 3, nullCount: 0, children: [sd] }));
  const { js, footer } = statsBothWays(schema.fields, [batch]);
  assert.equal(footer, '{"numRecords":3,"minValues":{"st":{"x":1}},"maxValues":{"st":{"x":3}},"nullCount":{"st":{"x":1}}}');
  assert.equal(js, '{"numRecords":3,"minValues":{"st":{"x":1}},"maxValues":{"st":{"x":100}},"nullCount":{"st":{"x":0}}}');
});
