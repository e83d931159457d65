import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Binary, Field, Int64, makeData, RecordBatch, Schema, Struct, vectorFromArray } from 'apache-arrow';
import { DeltaError, DeltaTable, decodeVariant, writeDeltaTable } from '../../src/index.js';
import { writeParquetBytes } from '../../src/format/parquet.js';
import { idBatch, tempDir } from '../support/temp.js';
import { encodeVariant, type Enc } from '../support/variant-encode.js';

/*
 * A small variant table built by hand as Spark lays it out: Parquet column `v` is a group of
 * binary `metadata` and `value`, the schema says "variant", the protocol lists the feature.
 */

const ROWS: Array<[bigint, Enc | null, unknown]> = [
  [1n, { t: 'object', fields: [['name', { t: 'string', v: 'ada' }], ['age', { t: 'int8', v: 36n }], ['tags', { t: 'array', items: [{ t: 'string', v: 'x' }] }]] }, { name: 'ada', age: 36, tags: ['x'] }],
  [2n, { t: 'int64', v: 2n ** 62n }, 2n ** 62n],
  [3n, null, null],
  [4n, { t: 'decimal8', unscaled: 314n, scale: 2 }, '3.14'],
  [5n, { t: 'null' }, null],
];

async function variantTable(feature: 'variantType' | 'variantType-preview'): Promise<string> {
  const root = await tempDir('dlts-variant-');
  const encoded = ROWS.map(([, e]) => (e ? encodeVariant(e) : null));
  const vFields = [new Field('metadata', new Binary(), false), new Field('value', new Binary(), false)];
  const vData = makeData({
    type: new Struct(vFields), length: ROWS.length, nullCount: 1,
    nullBitmap: Uint8Array.from([0b11011]),
    children: [
      vectorFromArray(encoded.map((x) => x?.metadata ?? new Uint8Array(0)), new Binary()).data[0]!,
      vectorFromArray(encoded.map((x) => x?.value ?? new Uint8Array(0)), new Binary()).data[0]!,
    ],
  });
  const schema = new Schema([new Field('id', new Int64(), true), new Field('v', new Struct(vFields), true)]);
  const ids = vectorFromArray(ROWS.map(([id]) => id), new Int64()).data[0]!;
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: ROWS.length, nullCount: 0, children: [ids, vData] }));
  const bytes = writeParquetBytes([batch]);
  await writeFile(path.join(root, 'part-0.parquet'), bytes);
  const schemaString = JSON.stringify({ type: 'struct', fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} }, { name: 'v', type: 'variant', nullable: true, metadata: {} },
  ] });
  await mkdir(path.join(root, '_delta_log'));
  const lines = [
    { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [feature], writerFeatures: [feature] } },
    { metaData: { id: 'variant-test', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {}, createdTime: 0 } },
    { add: { path: 'part-0.parquet', partitionValues: {}, size: bytes.length, modificationTime: 0, dataChange: true, stats: '{"numRecords":5,"nullCount":{"id":0,"v":1}}' } },
  ];
  await writeFile(path.join(root, '_delta_log', '00000000000000000000.json'), lines.map((l) => JSON.stringify(l) + '\n').join(''));
  return root;
}

for (const feature of ['variantType', 'variantType-preview'] as const) {
  test(`a table with feature ${feature} reads variant columns as struct<metadata, value> that decodeVariant turns into JSON`, async () => {
    const table = await DeltaTable.open(await variantTable(feature));
    const vType = table.schema.fields.find((f) => f.name === 'v')!.type as Struct;
    assert.deepEqual(vType.children.map((f) => `${f.name}:${String(f.type)}`), ['metadata:Binary', 'value:Binary']);
    const data = await table.toArrow();
    const rows = [...data].map((r) => {
      const v = r['v'] as { metadata: Uint8Array; value: Uint8Array } | null;
      return [r['id'] as bigint, v === null ? null : decodeVariant(v.metadata, v.value)];
    });
    assert.deepEqual(rows, ROWS.map(([id, , json]) => [id, json]));
    // A filter on another column works alongside.
    assert.equal((await table.toArrow({ filter: [['id', '>', 3]] })).numRows, 2);
  });
}

test('writes to a variant table are UNSUPPORTED_FEATURE naming the feature', async () => {
  const root = await variantTable('variantType');
  const refused = (e: unknown) => e instanceof DeltaError && e.code === 'UNSUPPORTED_FEATURE' && /"variantType"/.test(e.message) && /reads them but does not write/.test(e.message) && /Spark 4 or delta-rs/.test(e.hint!);
  await assert.rejects(writeDeltaTable(root, idBatch([9]), { mode: 'append' }), refused);
  await assert.rejects(writeDeltaTable(root, idBatch([9]), { mode: 'overwrite', schemaMode: 'overwrite' }), refused);
  assert.equal((await DeltaTable.open(root)).version, 0);
});
