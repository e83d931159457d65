import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Field, FixedSizeBinary, Int64, LargeUtf8, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, vectorFromArray, type Data } from 'apache-arrow';
import { DeltaTable, isDeltaError, writeDeltaTable } from '../../src/index.js';
import { parquetWasm } from '../../src/format/parquet-wasm-instance.js';
import { readStruct, setField, T, writeStruct, field, type ThriftList, type ThriftStruct } from '../../src/format/thrift-compact.js';
import { canonicalRows } from '../support/canonical.js';
import { tempDir } from '../support/temp.js';

const PROTOCOL = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };
const CORRUPT_HINT = 'the transaction log is damaged or was written by a buggy writer; run `deltalake doctor` to inspect it';

function metaData(fields: unknown[] | undefined, partitionColumns: string[] = []): Record<string, unknown> {
  const m: Record<string, unknown> = { id: 'test-table', format: { provider: 'parquet', options: {} }, partitionColumns, configuration: {} };
  if (fields) m['schemaString'] = JSON.stringify({ type: 'struct', fields });
  return { metaData: m };
}

const long = (name: string) => ({ name, type: 'long', nullable: true, metadata: {} });

/** A table directory whose commits are exactly these action lists (version = index). */
async function rawTable(commits: unknown[][], files: Record<string, Uint8Array> = {}): Promise<string> {
  const uri = path.join(await tempDir('dlts-hostile-'), 'table');
  await mkdir(path.join(uri, '_delta_log'), { recursive: true });
  for (const [v, actions] of commits.entries()) {
    await writeFile(path.join(uri, '_delta_log', `${String(v).padStart(20, '0')}.json`), actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
  }
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(uri, name)), { recursive: true });
    await writeFile(path.join(uri, name), bytes);
  }
  return uri;
}

function add(p: string, size: number): Record<string, unknown> {
  return { add: { path: p, partitionValues: {}, size, modificationTime: 1, dataChange: true } };
}

function corruptLogError(message: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(isDeltaError(e, 'CORRUPT_LOG'), String(e));
    assert.match(e.message, message);
    assert.equal(e.hint, CORRUPT_HINT);
    return true;
  };
}

test('a schemaString nested deeper than 1000 levels is CORRUPT_LOG, not a stack overflow; 63 levels open and read', async () => {
  // Built as text: JSON.stringify of such a value would itself overflow the stack.
  const nest = (depth: number): string =>
    Array.from({ length: depth }, (_, i) => `{"type":"struct","fields":[{"name":"s${i}","nullable":true,"metadata":{},"type":`).join('') + '"long"' + '}]}'.repeat(depth);
  const deep = await rawTable([[PROTOCOL, { metaData: { ...(metaData([]).metaData as object), schemaString: nest(100_000) } }]]);
  await assert.rejects(DeltaTable.open(deep), corruptLogError(/metaData of version 0: the schema nests types deeper than 1000 levels/));
  const fine = await rawTable([[PROTOCOL, { metaData: { ...(metaData([]).metaData as object), schemaString: nest(64) } }]]);
  const table = await DeltaTable.open(fine);
  const arrow = await table.toArrow();
  assert.equal(arrow.numRows, 0);
  let depth = 0;
  for (let t = arrow.schema.fields[0]!.type; t instanceof Struct; t = t.children[0]!.type) depth++;
  assert.equal(depth, 63);
});

test('a sidecar path with a malformed % escape is CORRUPT_LOG naming the field', async () => {
  const uri = await rawTable([]);
  const manifest = [
    { checkpointMetadata: { version: 0 } },
    { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['v2Checkpoint'], writerFeatures: ['v2Checkpoint'] } },
    metaData([long('id')]),
    { sidecar: { path: 'bad%zzname.parquet', sizeInBytes: 10, modificationTime: 1 } },
  ];
  await writeFile(path.join(uri, '_delta_log', '00000000000000000000.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.json'), manifest.map((a) => JSON.stringify(a)).join('\n') + '\n');
  await assert.rejects(DeltaTable.open(uri), corruptLogError(/sidecar\.path must be a URI-encoded path \(a "%" must start a valid escape\), got "bad%zzname\.parquet"/));
});

test('a metaData without schemaString before the latest one reads; a table whose only metaData has none has no columns', async () => {
  const data = parquetOf(new Table({ id: vectorFromArray([1n, 2n], new Int64()) }));
  const later = await rawTable([[PROTOCOL, metaData(undefined)], [metaData([long('id')]), add('a.parquet', data.length)]], { 'a.parquet': data });
  assert.deepEqual(canonicalRows(await (await DeltaTable.open(later)).toArrow()), [{ id: '1' }, { id: '2' }]);
  const none = await rawTable([[PROTOCOL, metaData(undefined)]]);
  const table = await DeltaTable.open(none);
  assert.equal(table.schema.fields.length, 0);
  assert.equal((await table.toArrow()).numCols, 0);
});

test('a partition column that is not in the schema is CORRUPT_LOG', async () => {
  const uri = await rawTable([[PROTOCOL, metaData([long('id')], ['region'])]]);
  await assert.rejects(DeltaTable.open(uri), corruptLogError(/metaData of version 0: partition column "region" is not a column of the schema/));
});

test('a log holding only an unreadable checkpoint is CORRUPT_LOG, and an append is refused instead of starting a new table', async () => {
  const uri = await rawTable([]);
  await writeFile(path.join(uri, '_delta_log', '00000000000000000003.checkpoint.parquet'), new TextEncoder().encode('not parquet at all'));
  const refused = corruptLogError(/^_delta_log: the checkpoint at version 3 cannot be read and the commits left do not rebuild the table/);
  await assert.rejects(DeltaTable.open(uri), refused);
  await assert.rejects(writeDeltaTable(uri, new Table({ id: vectorFromArray([1n], new Int64()) }), { mode: 'append' }), refused);
  assert.deepEqual((await readdir(path.join(uri, '_delta_log'))).sort(), ['00000000000000000003.checkpoint.parquet']);
});

test('a data file whose embedded Arrow schema says LargeUtf8 (delta-rs 0.17) reads as the table\'s string column', async () => {
  const bytes = parquetOf(new Table({ id: vectorFromArray([1n, 2n, 3n], new Int64()), s: vectorFromArray(['a', null, 'ccc'], new LargeUtf8()) }));
  assert.ok(readArrowSchemaHint(bytes).includes('LargeUtf8'), 'the file carries a LargeUtf8 hint');
  const uri = await rawTable([[PROTOCOL, metaData([long('id'), { name: 's', type: 'string', nullable: true, metadata: {} }]), add('f.parquet', bytes.length)]], { 'f.parquet': bytes });
  assert.deepEqual(canonicalRows(await (await DeltaTable.open(uri)).toArrow()), [{ id: '1', s: 'a' }, { id: '2', s: null }, { id: '3', s: 'ccc' }]);
});

test('INT96 timestamps nested in a struct read as timestamps', async () => {
  // 2021-01-01T00:00:01.000002Z as INT96: nanos of day (8 bytes LE), Julian day (4 bytes LE).
  const int96 = new Uint8Array(24);
  const view = new DataView(int96.buffer);
  view.setBigUint64(0, 1_000_002_000n, true);
  view.setUint32(8, 2_459_216, true);
  view.setBigUint64(12, 0n, true);
  view.setUint32(20, 2_440_588, true); // 1970-01-01
  const fsb: Data = makeData({ type: new FixedSizeBinary(12), length: 2, nullCount: 0, data: int96 });
  const inner = new Struct([new Field('ts', new FixedSizeBinary(12), true)]);
  const st: Data = makeData({ type: inner, length: 2, nullCount: 0, children: [fsb] });
  const id: Data = vectorFromArray([1n, 2n], new Int64()).data[0]!;
  const schema = new Schema([new Field('id', new Int64(), true), new Field('st', inner, true)]);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children: [id, st] }));
  const bytes = asInt96(parquetOf(new Table([batch])));
  const fields = [long('id'), { name: 'st', type: { type: 'struct', fields: [{ name: 'ts', type: 'timestamp', nullable: true, metadata: {} }] }, nullable: true, metadata: {} }];
  const uri = await rawTable([[PROTOCOL, metaData(fields), add('f.parquet', bytes.length)]], { 'f.parquet': bytes });
  assert.deepEqual(canonicalRows(await (await DeltaTable.open(uri)).toArrow()), [
    { id: '1', st: { ts: '2021-01-01T00:00:01.000002Z' } },
    { id: '2', st: { ts: '1970-01-01T00:00:00.000000Z' } },
  ]);
  await rm(path.dirname(uri), { recursive: true, force: true });
});

/** Parquet bytes written by parquet-wasm directly (keeps the ARROW:schema hint of the input types). */
function parquetOf(table: Table): Uint8Array {
  const w = parquetWasm();
  return w.writeParquet(w.Table.fromIPCStream(tableToIPC(table, 'stream')), new w.WriterPropertiesBuilder().setDictionaryEnabled(false).build());
}

function footerOf(bytes: Uint8Array): { meta: ThriftStruct; start: number } {
  const len = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true);
  return { meta: readStruct(bytes.subarray(bytes.length - 8 - len, bytes.length - 8)).value, start: bytes.length - 8 - len };
}

function readArrowSchemaHint(bytes: Uint8Array): string {
  const kv = (field(footerOf(bytes).meta, 5)?.value as ThriftList).items as ThriftStruct[];
  const hint = kv.find((e) => new TextDecoder().decode(field(e, 1)!.value as Uint8Array) === 'ARROW:schema')!;
  const raw = Buffer.from(new TextDecoder().decode(field(hint, 2)!.value as Uint8Array), 'base64');
  const eos = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);
  return String(tableFromIPC(Buffer.concat([raw, eos])).schema.fields.map((f) => String(f.type)));
}

/** The file with every FIXED_LEN_BYTE_ARRAY(12) column retyped as INT96 (same 12 plain bytes per value), as Spark writes timestamps. */
function asInt96(bytes: Uint8Array): Uint8Array {
  const { meta, start } = footerOf(bytes);
  for (const el of (field(meta, 2)!.value as ThriftList).items as ThriftStruct[]) {
    if (field(el, 1)?.value === 7 && field(el, 2)?.value === 12) {
      setField(el, 1, T.I32, 3);
      el.fields = el.fields.filter((f) => f.id !== 2);
    }
  }
  for (const rg of (field(meta, 4)!.value as ThriftList).items as ThriftStruct[]) {
    for (const cc of (field(rg, 1)!.value as ThriftList).items as ThriftStruct[]) {
      const md = field(cc, 3)!.value as ThriftStruct;
      if (field(md, 1)?.value === 7) {
        setField(md, 1, T.I32, 3);
        md.fields = md.fields.filter((f) => f.id !== 12); // FLBA statistics mean nothing for INT96
      }
    }
  }
  const kv = field(meta, 5)?.value as ThriftList | undefined;
  if (kv) kv.items = (kv.items as ThriftStruct[]).filter((e) => new TextDecoder().decode(field(e, 1)!.value as Uint8Array) !== 'ARROW:schema');
  const footer = writeStruct(meta);
  const out = new Uint8Array(start + footer.length + 8);
  out.set(bytes.subarray(0, start));
  out.set(footer, start);
  new DataView(out.buffer).setUint32(start + footer.length, footer.length, true);
  out.set([0x50, 0x41, 0x52, 0x31], start + footer.length + 4);
  return out;
}
