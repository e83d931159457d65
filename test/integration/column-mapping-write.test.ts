import assert from 'node:assert/strict';
import { cp, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Field, Int32, Int64, List, Map_, Schema, Struct, TimestampMicrosecond, Utf8, type DataType } from 'apache-arrow';
import { DeltaTable, writeDeltaTable, type StreamBatch } from '../../src/index.js';
import { readParquetSchema } from '../../src/format/parquet.js';
import { canonicalRows } from '../support/canonical.js';
import { corpusRoot } from '../support/paths.js';
import { deltaError } from '../support/streams.js';
import { batchOf, idBatch, tempDir } from '../support/temp.js';

/*
 * Tables created with delta.columnMapping.mode name or id get Spark's layout (ids numbered parent
 * before children, `col-<uuid>` physical names, maxColumnId, protocol (2,5)); data files, stats and
 * partition values use the physical names; and every later operation keeps working.
 */

const PHYSICAL = /^col-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ITEM = new Struct([new Field('q', new Int32(), true)]);
const NESTED = new Struct([new Field('a', new Int32(), true), new Field('b', new Struct([new Field('c', new Utf8(), true)]), true)]);
const LIST = new List(new Field('element', ITEM, true));
const MAP = new Map_<Utf8, typeof ITEM>(new Field('entries', new Struct<{ key: Utf8; value: typeof ITEM }>([new Field('key', new Utf8(), false), new Field('value', ITEM, true)]), false));

function nestedBatch(ids: number[], country: string, extra?: string) {
  return batchOf({
    id: { type: new Int64(), values: ids.map(BigInt) },
    country: { type: new Utf8(), values: ids.map(() => country) },
    s: { type: NESTED, values: ids.map((i) => ({ a: i, b: { c: `c${i}` } })) },
    l: { type: LIST, values: ids.map((i) => [{ q: i * 10 }]) },
    m: { type: MAP as DataType, values: ids.map((i) => new Map([[`k${i}`, { q: i }]])) },
    ...(extra !== undefined ? { extra: { type: new Utf8(), values: ids.map(() => extra) } } : {}),
  });
}

interface LoggedField { name: string; type: unknown; metadata: Record<string, unknown> }
type Action = Record<string, Record<string, unknown>>;

async function logActions(uri: string): Promise<Action[]> {
  const dir = path.join(uri, '_delta_log');
  const out: Action[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
    for (const line of (await readFile(path.join(dir, f), 'utf8')).split('\n')) if (line) out.push(JSON.parse(line) as Action);
  }
  return out;
}

async function lastMetadata(uri: string): Promise<{ fields: LoggedField[]; configuration: Record<string, string> }> {
  const meta = (await logActions(uri)).filter((a) => a.metaData).at(-1)!.metaData!;
  return { fields: (JSON.parse(meta.schemaString as string) as { fields: LoggedField[] }).fields, configuration: meta.configuration as Record<string, string> };
}

/** [path of logical names, id, physical name] of every field, parents first, as the log holds them. */
function mappingOf(fields: LoggedField[], prefix = ''): Array<[string, unknown, unknown]> {
  const out: Array<[string, unknown, unknown]> = [];
  const nested = (t: unknown, at: string): void => {
    if (typeof t !== 'object' || t === null) return;
    const o = t as Record<string, unknown>;
    if (o.type === 'struct') out.push(...mappingOf(o.fields as LoggedField[], at));
    if (o.type === 'array') nested(o.elementType, `${at}[]`);
    if (o.type === 'map') { nested(o.keyType, `${at}{k}`); nested(o.valueType, `${at}{v}`); }
  };
  for (const f of fields) {
    const at = prefix ? `${prefix}.${f.name}` : f.name;
    out.push([at, f.metadata['delta.columnMapping.id'], f.metadata['delta.columnMapping.physicalName']]);
    nested(f.type, at);
  }
  return out;
}

const sortedRows = async (uri: string, version?: number): Promise<string[]> =>
  canonicalRows(await (await DeltaTable.open(uri, version === undefined ? {} : { version })).toArrow()).map((r) => JSON.stringify(r)).sort();

const row = (id: number, country: string, extra?: string | null): string => {
  const base: Record<string, unknown> = { id: String(id), country, s: { a: id, b: { c: `c${id}` } }, l: [{ q: id * 10 }], m: [[`k${id}`, { q: id }]] };
  if (extra !== undefined) base.extra = extra;
  return JSON.stringify(base);
};

test("writeDeltaTable creating a table with column mapping mode name writes Spark's layout: ids parents first, col-<uuid> physical names, maxColumnId, protocol (2,5)", async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, nestedBatch([1, 2], 'BR'), { partitionBy: ['country'], properties: { 'delta.columnMapping.mode': 'name' } });
  const actions = await logActions(uri);
  assert.deepEqual(actions.find((a) => a.protocol)!.protocol, { minReaderVersion: 2, minWriterVersion: 5 });
  const { fields, configuration } = await lastMetadata(uri);
  const mapping = mappingOf(fields);
  assert.deepEqual(mapping.map(([p, id]) => [p, id]), [
    ['id', 1], ['country', 2], ['s', 3], ['s.a', 4], ['s.b', 5], ['s.b.c', 6], ['l', 7], ['l[].q', 8], ['m', 9], ['m{v}.q', 10],
  ]);
  for (const [p, , physical] of mapping) assert.match(String(physical), PHYSICAL, p);
  assert.equal(new Set(mapping.map(([, , physical]) => physical)).size, mapping.length);
  assert.deepEqual(configuration, { 'delta.columnMapping.mode': 'name', 'delta.columnMapping.maxColumnId': '10' });

  // Partition values, stats and Parquet columns use the physical names.
  const physicalOf = Object.fromEntries(mapping.map(([p, , physical]) => [p, physical as string]));
  const add = actions.find((a) => a.add)!.add!;
  assert.deepEqual(add.partitionValues, { [physicalOf.country!]: 'BR' });
  const stats = JSON.parse(add.stats as string) as { minValues: Record<string, unknown>; nullCount: Record<string, unknown> };
  assert.deepEqual(Object.keys(stats.minValues).sort(), [physicalOf.id, physicalOf.s].sort());
  assert.deepEqual(stats.minValues[physicalOf.s!], { [physicalOf['s.a']!]: 1, [physicalOf['s.b']!]: { [physicalOf['s.b.c']!]: 'c1' } });
  const file = readParquetSchema(await readFile(path.join(uri, decodeURIComponent(add.path as string))));
  assert.deepEqual(file.fields.map((f) => f.name), [physicalOf.id, physicalOf.s, physicalOf.l, physicalOf.m]);
  assert.deepEqual((file.fields[1]!.type as DataType).children.map((c) => c.name), [physicalOf['s.a'], physicalOf['s.b']]);
  assert.deepEqual(file.fields.map((f) => f.metadata.get('PARQUET:field_id')), ['1', '3', '7', '9']);

  assert.deepEqual(await sortedRows(uri), [row(1, 'BR'), row(2, 'BR')]);
});

test('a column-mapped table takes appends, a merge that adds a column (next id, maxColumnId bumped), a predicate overwrite and a checkpoint, and reads back exactly', async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, nestedBatch([1, 2], 'BR'), { partitionBy: ['country'], properties: { 'delta.columnMapping.mode': 'name' } });
  await writeDeltaTable(uri, nestedBatch([3], 'US'), { mode: 'append' });
  await writeDeltaTable(uri, nestedBatch([4], 'US', 'x'), { mode: 'append', schemaMode: 'merge' });
  const merged = await lastMetadata(uri);
  const extra = merged.fields.find((f) => f.name === 'extra')!;
  assert.equal(extra.metadata['delta.columnMapping.id'], 11);
  assert.match(String(extra.metadata['delta.columnMapping.physicalName']), PHYSICAL);
  assert.equal(merged.configuration['delta.columnMapping.maxColumnId'], '11');

  await writeDeltaTable(uri, nestedBatch([5], 'BR', 'y'), { mode: 'overwrite', predicate: [['country', '=', 'BR']] });
  const expected = [row(3, 'US', null), row(4, 'US', 'x'), row(5, 'BR', 'y')].sort();
  assert.deepEqual(await sortedRows(uri), expected);
  await (await DeltaTable.open(uri)).checkpoint();
  await writeDeltaTable(uri, nestedBatch([6], 'US', 'z'), { mode: 'append' });
  assert.deepEqual(await sortedRows(uri), [...expected, row(6, 'US', 'z')].sort());
  // Filters resolve logical names to physical stats and partition values.
  const us = await (await DeltaTable.open(uri)).toArrow({ filter: [['country', '=', 'US'], ['extra', '=', 'z']] });
  assert.deepEqual(canonicalRows(us).map((r) => JSON.stringify(r)), [row(6, 'US', 'z')]);
  // A stream over the table from version 0 delivers the rows with logical names.
  const got: StreamBatch[] = [];
  for await (const b of DeltaTable.readStream(uri, { startingVersion: 0, availableNow: true, fileNotifications: false, skipChangeCommits: true })) got.push(b);
  assert.ok(got.flatMap((b) => b.data.toArray().map((r) => Number(r.id))).includes(6));
});

test('DeltaTable.create with column mapping mode id writes Parquet field ids, and appends read back by id', async () => {
  const uri = path.join(await tempDir(), 't');
  const schema = new Schema([new Field('id', new Int64(), true), new Field('s', NESTED, true), new Field('ts', new TimestampMicrosecond('UTC'), true)]);
  const table = await DeltaTable.create(uri, { schema, properties: { 'delta.columnMapping.mode': 'id' } });
  assert.equal(table.version, 0);
  const { fields, configuration } = await lastMetadata(uri);
  assert.deepEqual(mappingOf(fields).map(([p, id]) => [p, id]), [['id', 1], ['s', 2], ['s.a', 3], ['s.b', 4], ['s.b.c', 5], ['ts', 6]]);
  assert.deepEqual(configuration, { 'delta.columnMapping.mode': 'id', 'delta.columnMapping.maxColumnId': '6' });
  assert.deepEqual((await logActions(uri)).find((a) => a.protocol)!.protocol, { minReaderVersion: 2, minWriterVersion: 5 });
  await writeDeltaTable(uri, batchOf({
    id: { type: new Int64(), values: [7n] },
    s: { type: NESTED, values: [{ a: 1, b: { c: 'x' } }] },
    ts: { type: new TimestampMicrosecond('UTC'), values: [Date.UTC(2024, 0, 1)] },
  }), { mode: 'append' });
  const add = (await logActions(uri)).find((a) => a.add)!.add!;
  const file = readParquetSchema(await readFile(path.join(uri, decodeURIComponent(add.path as string))));
  assert.deepEqual(file.fields.map((f) => f.metadata.get('PARQUET:field_id')), ['1', '2', '6']);
  assert.deepEqual((file.fields[1]!.type as DataType).children.map((c) => c.metadata.get('PARQUET:field_id')), ['3', '4']);
  assert.deepEqual(await sortedRows(uri), [JSON.stringify({ id: '7', s: { a: 1, b: { c: 'x' } }, ts: '2024-01-01T00:00:00.000000Z' })]);
});

test('column mapping next to another reader feature uses table features with columnMapping in both lists', async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, idBatch([1]), { properties: { 'delta.columnMapping.mode': 'name', 'delta.enableDeletionVectors': 'true' } });
  assert.deepEqual((await logActions(uri)).find((a) => a.protocol)!.protocol, {
    minReaderVersion: 3, minWriterVersion: 7,
    readerFeatures: ['columnMapping', 'deletionVectors'], writerFeatures: ['appendOnly', 'columnMapping', 'deletionVectors', 'invariants'],
  });
  assert.deepEqual((await DeltaTable.open(uri)).schema.fields.map((f) => f.name), ['id', 'label']);
});

test('turning column mapping on for an existing table: name keeps the files readable (physical = logical names), id is refused', async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, idBatch([1], 'a'));
  await assert.rejects(
    writeDeltaTable(uri, idBatch([2], 'b'), { mode: 'append', properties: { 'delta.columnMapping.mode': 'id' } }),
    deltaError('UNSUPPORTED_FEATURE', /changing delta.columnMapping.mode from none to id/),
  );
  await writeDeltaTable(uri, idBatch([2], 'b'), { mode: 'append', properties: { 'delta.columnMapping.mode': 'name' } });
  const { fields, configuration } = await lastMetadata(uri);
  assert.deepEqual(mappingOf(fields), [['id', 1, 'id'], ['label', 2, 'label']]);
  assert.equal(configuration['delta.columnMapping.maxColumnId'], '2');
  assert.deepEqual((await logActions(uri)).filter((a) => a.protocol).at(-1)!.protocol, { minReaderVersion: 2, minWriterVersion: 5 });
  assert.deepEqual(await sortedRows(uri), [JSON.stringify({ id: '1', label: 'a' }), JSON.stringify({ id: '2', label: 'b' })]);
});

test('a schema overwrite of a column-mapped table gives the new columns fresh ids after maxColumnId and new physical names', async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, idBatch([1], 'a'), { properties: { 'delta.columnMapping.mode': 'id' } });
  const before = mappingOf((await lastMetadata(uri)).fields);
  await writeDeltaTable(uri, batchOf({ id: { type: new Int64(), values: [2n] }, other: { type: new Utf8(), values: ['z'] } }), { mode: 'overwrite', schemaMode: 'overwrite' });
  const { fields, configuration } = await lastMetadata(uri);
  const after = mappingOf(fields);
  assert.deepEqual(after.map(([p, id]) => [p, id]), [['id', 3], ['other', 4]]);
  assert.notEqual(after[0]![2], before[0]![2]);
  assert.equal(configuration['delta.columnMapping.maxColumnId'], '4');
  assert.deepEqual(await sortedRows(uri), [JSON.stringify({ id: '2', other: 'z' })]);
});

test("a merge into Spark's column-mapped table numbers the new column after Spark's maxColumnId and keeps Spark's rows readable", async () => {
  const uri = path.join(await tempDir(), 't');
  await cp(path.join(corpusRoot, 'tables', 'table_with_column_mapping'), uri, { recursive: true });
  const before = await sortedRows(uri);
  await writeDeltaTable(uri, batchOf({
    'Company Very Short': { type: new Utf8(), values: ['NEW'] },
    'Super Name': { type: new Utf8(), values: ['Ada'] },
    extra: { type: new Int64(), values: [1n] },
  }), { mode: 'append', schemaMode: 'merge' });
  const { fields, configuration } = await lastMetadata(uri);
  const extra = fields.find((f) => f.name === 'extra')!;
  assert.equal(extra.metadata['delta.columnMapping.id'], 3);
  assert.match(String(extra.metadata['delta.columnMapping.physicalName']), PHYSICAL);
  assert.equal(configuration['delta.columnMapping.maxColumnId'], '3');
  const withNull = before.map((r) => JSON.stringify({ ...(JSON.parse(r) as Record<string, unknown>), extra: null }));
  const added = JSON.stringify({ 'Company Very Short': 'NEW', 'Super Name': 'Ada', extra: '1' });
  const after = await sortedRows(uri);
  assert.equal(after.length, before.length + 1);
  assert.deepEqual(after.map((r) => canonical(r)).sort(), [...withNull, added].map((r) => canonical(r)).sort());
});

/** A row string with its keys sorted (column order differs between the corpus and our writes). */
function canonical(row: string): string {
  const o = JSON.parse(row) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])));
}
