import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DataType, Table, type Field } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { canonicalKey, canonicalRows } from '../support/canonical.js';
import { corpusRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

/*
 * An independent engine reads what we write. DuckDB (its own C++ Parquet reader) reads the data
 * files and our checkpoint; the Delta log is replayed here with plain JSON.parse and set logic,
 * not with our codec. Both must give exactly the rows our reader returns.
 */

// Rich types: nested structs, lists, maps, decimals, timestamps, escaped partition values.
const TABLES = [
  'dat-multi_partitioned', 'data-reader-nested-struct', 'decimal-various-scale-precision', 'data-reader-escaped-chars',
  'data-reader-map', 'data-reader-array-complex-objects', 'data-reader-primitives', 'data-reader-date-types-utc', 'data-reader-timestamp_ntz',
  'parquet-all-types', 'kernel-timestamp-int96', 'timestamp-partitioned-table', 'basic-decimal-table', 'mixed-nulls', 'table_with_edge_timestamps', 'data-reader-partition-values', 'data-reader-array-primitives',
];

interface LoggedFile { path: string; partitionValues: Record<string, string | null> }

/** The live files at the latest version: the newest checkpoint (read by DuckDB) plus later commits (JSON.parse). */
async function liveFiles(db: DuckDBConnection, uri: string): Promise<{ files: LoggedFile[]; checkpointVersion: number | undefined }> {
  const log = path.join(uri, '_delta_log');
  const names = (await readdir(log)).sort();
  const checkpoint = names.filter((n) => n.endsWith('.checkpoint.parquet')).at(-1);
  const live = new Map<string, LoggedFile>();
  let after = -1;
  if (checkpoint) {
    after = Number(checkpoint.slice(0, 20));
    const rows = (await db.runAndReadAll(
      `SELECT add.path AS path, to_json(add.partitionValues) AS pv FROM read_parquet('${path.join(log, checkpoint)}') WHERE add IS NOT NULL`,
    )).getRowObjectsJson();
    for (const r of rows) live.set(String(r['path']), { path: String(r['path']), partitionValues: JSON.parse(String(r['pv'])) as Record<string, string | null> });
  }
  for (const name of names.filter((n) => /^\d{20}\.json$/.test(n) && Number(n.slice(0, 20)) > after)) {
    for (const line of (await readFile(path.join(log, name), 'utf8')).split('\n').filter((l) => l.trim() !== '')) {
      const action = JSON.parse(line) as { add?: LoggedFile; remove?: { path: string } };
      if (action.add) live.set(action.add.path, action.add);
      if (action.remove) live.delete(action.remove.path);
    }
  }
  return { files: [...live.values()], checkpointVersion: checkpoint ? after : undefined };
}

/** A DuckDB expression giving `expr` (of Arrow type `type`) in the canonical encoding of canonical.ts. */
function canonicalSql(expr: string, type: DataType, depth = 0): string {
  const x = `x${depth}`; // nested lambdas need distinct parameter names
  if (DataType.isInt(type)) return type.bitWidth === 64 ? `CAST(${expr} AS VARCHAR)` : expr;
  if (DataType.isUtf8(type) || DataType.isBool(type) || DataType.isFloat(type)) return expr;
  if (DataType.isBinary(type)) return `lower(hex(${expr}))`;
  if (DataType.isDecimal(type)) return `CAST(${expr} AS VARCHAR)`;
  if (DataType.isDate(type)) return `strftime(${expr}, '%Y-%m-%d')`;
  if (DataType.isTimestamp(type)) {
    // epoch_us is the instant for zoned and zone-less timestamps alike; format it as UTC.
    return `strftime(make_timestamp(epoch_us(${expr})), '%Y-%m-%dT%H:%M:%S.%f')${type.timezone ? " || 'Z'" : ''}`;
  }
  if (DataType.isStruct(type)) {
    // struct_pack of a null struct would be a struct of nulls: keep the null.
    const fields = type.children.map((f) => `"${f.name}" := ${canonicalSql(`${expr}."${physicalName(f)}"`, f.type as DataType, depth + 1)}`);
    return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${fields.join(', ')}) END`;
  }
  if (DataType.isList(type)) return `list_transform(${expr}, ${x} -> ${canonicalSql(x, type.children[0]!.type as DataType, depth + 1)})`;
  if (DataType.isMap(type)) {
    const [k, v] = (type.children[0]!.type as DataType).children as Field[];
    return `list_transform(map_entries(${expr}), ${x} -> struct_pack(k := ${canonicalSql(`${x}.key`, k!.type as DataType, depth + 1)}, v := ${canonicalSql(`${x}.value`, v!.type as DataType, depth + 1)}))`;
  }
  throw new TypeError(`no DuckDB canonical form for ${String(type)}`);
}

/** The column's name in data files: its column mapping physical name, else its name. */
function physicalName(f: Field): string {
  const physical = f.metadata.get('delta.columnMapping.physicalName');
  return physical === undefined ? f.name : String(JSON.parse(physical));
}

/** DuckDB's JSON of one canonical value, turned into canonical.ts's shape (map entries as pairs). */
function fromDuckJson(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (DataType.isMap(type)) {
    const [k, val] = (type.children[0]!.type as DataType).children as Field[];
    return (v as Array<{ k: unknown; v: unknown }>).map((e) => [fromDuckJson(e.k, k!.type as DataType), fromDuckJson(e.v, val!.type as DataType)]);
  }
  if (DataType.isList(type)) return (v as unknown[]).map((x) => fromDuckJson(x, type.children[0]!.type as DataType));
  if (DataType.isStruct(type)) return Object.fromEntries(type.children.map((f) => [f.name, fromDuckJson((v as Record<string, unknown>)[f.name], f.type as DataType)]));
  return v;
}

/** Every row DuckDB reads from the live files, partition values added from the log. */
async function duckRows(db: DuckDBConnection, uri: string, files: LoggedFile[], table: Table, partitionColumns: readonly string[]): Promise<string[]> {
  const fields = table.schema.fields.map((f) => ({ name: f.name, type: f.type as DataType, physical: physicalName(f) }));
  const dataFields = fields.filter((f) => !partitionColumns.includes(f.name));
  const out: string[] = [];
  for (const file of files) {
    const select = dataFields.map((f) => `to_json(${canonicalSql(`"${f.physical}"`, f.type)}) AS "${f.name}"`).join(', ');
    const result = await db.runAndReadAll(`SELECT ${select} FROM read_parquet('${path.join(uri, decodeURIComponent(file.path)).replaceAll("'", "''")}')`);
    for (const r of result.getRowObjectsJson()) {
      const row: Record<string, unknown> = {};
      for (const f of dataFields) row[f.name] = fromDuckJson(JSON.parse(String(r[f.name])), f.type);
      for (const f of fields.filter((x) => partitionColumns.includes(x.name))) {
        row[f.name] = partitionCanonical(file.partitionValues[f.physical] ?? null, f.type);
      }
      out.push(canonicalKey(row, fields.map(({ name, type }) => ({ name, type }))));
    }
  }
  return out.sort();
}

/** A partition value string in the canonical encoding (the types our corpus tables partition by). */
function partitionCanonical(v: string | null, type: DataType): unknown {
  if (v === null) return null;
  if (DataType.isInt(type)) return type.bitWidth === 64 ? v : Number(v);
  if (DataType.isBool(type)) return v === 'true';
  if (DataType.isFloat(type)) return Number(v);
  if (DataType.isDate(type) || DataType.isUtf8(type)) return v;
  if (DataType.isTimestamp(type)) {
    // Spark's forms: `2021-01-01 10:00:00[.ffffff]` (zone-less) or ISO-8601 with `Z`.
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z?$/.exec(v);
    if (!m) throw new TypeError(`unexpected timestamp partition value ${v}`);
    return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0')}${type.timezone ? 'Z' : ''}`;
  }
  if (DataType.isTimestamp(type)) {
    // Spark's forms: `2021-01-01 10:00:00[.ffffff]` (zone-less) or ISO-8601 with `Z`.
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z?$/.exec(v);
    if (!m) throw new TypeError(`unexpected timestamp partition value ${v}`);
    return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0')}${type.timezone ? 'Z' : ''}`;
  }
  if (DataType.isDecimal(type)) {
    // canonical.ts writes exactly `scale` fraction digits.
    const [whole, frac = ''] = v.split('.');
    return type.scale === 0 ? whole : `${whole}.${frac.padEnd(type.scale, '0')}`;
  }
  if (DataType.isBinary(type)) return Buffer.from(v, 'utf8').toString('hex'); // Spark's form: the bytes as UTF-8 text
  throw new TypeError(`partition column of type ${String(type)} not covered by this test`);
}

test('DuckDB reads exactly our rows from tables we write (data files and checkpoint), replaying the log independently', { timeout: 120_000 }, async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  let checkpointsRead = 0;
  for (const name of TABLES) {
    const source = await DeltaTable.open(path.join(corpusRoot, 'tables', name));
    const rows = await source.toArrow();
    const uri = await tempDir('dlts-duck-');
    // Three commits and a checkpoint at version 2, so part of the state comes from our checkpoint.
    const half = Math.ceil(rows.numRows / 2);
    // The source's schema as it is (NOT NULL kept, zone-less timestamps stay timestamp_ntz).
    await writeDeltaTable(uri, rows.slice(0, half), {
      partitionBy: source.partitionColumns, properties: { 'delta.checkpointInterval': '2' }, nullability: 'arrow', zonelessTimestamps: 'timestamp_ntz',
    });
    await writeDeltaTable(uri, rows.slice(half), { mode: 'append' });
    await writeDeltaTable(uri, rows.slice(0, 1), { mode: 'append' });
    const ours = await DeltaTable.open(uri);
    const fields = rows.schema.fields.map((f) => ({ name: f.name, type: f.type as DataType }));
    const expected = canonicalRows(await ours.toArrow()).map((r) => canonicalKey(r, fields)).sort();
    assert.equal(expected.length, rows.numRows + Math.min(1, rows.numRows), name);
    const { files, checkpointVersion } = await liveFiles(db, uri);
    if (checkpointVersion !== undefined) checkpointsRead++;
    assert.deepEqual(files.map((f) => decodeURIComponent(f.path)).sort(), (await ours.files()).map((f) => f.path).sort(), `${name}: live files`);
    assert.deepEqual(await duckRows(db, uri, files, rows, source.partitionColumns), expected, `${name}: rows`);
  }
  assert.equal(checkpointsRead, TABLES.length, 'every table was replayed from our checkpoint');
  db.closeSync();
});

// Column mapping: the same tables created with delta.columnMapping.mode name and id. DuckDB reads
// the data files by the physical names the log gives (nested struct fields too).
const MAPPED_TABLES = ['dat-multi_partitioned', 'data-reader-nested-struct', 'data-reader-map', 'data-reader-array-complex-objects', 'data-reader-partition-values'];

test('DuckDB reads exactly our rows from column-mapped tables we write, by the physical names in the log', { timeout: 120_000 }, async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  for (const mode of ['name', 'id']) {
    for (const name of MAPPED_TABLES) {
      const source = await DeltaTable.open(path.join(corpusRoot, 'tables', name));
      const rows = await source.toArrow();
      const uri = await tempDir('dlts-duck-cm-');
      const half = Math.ceil(rows.numRows / 2);
      await writeDeltaTable(uri, rows.slice(0, half), { partitionBy: source.partitionColumns, properties: { 'delta.columnMapping.mode': mode, 'delta.checkpointInterval': '2' } });
      await writeDeltaTable(uri, rows.slice(half), { mode: 'append' });
      await writeDeltaTable(uri, rows.slice(0, 1), { mode: 'append' });
      const ours = await DeltaTable.open(uri);
      const table = await ours.toArrow();
      assert.ok(table.schema.fields.every((f) => /^col-/.test(physicalName(f))), `${name} (${mode}): every column has a physical name`);
      const fields = table.schema.fields.map((f) => ({ name: f.name, type: f.type as DataType }));
      const expected = canonicalRows(table).map((r) => canonicalKey(r, fields)).sort();
      assert.deepEqual(expected, canonicalRows(new Table([...rows.batches, ...rows.slice(0, 1).batches])).map((r) => canonicalKey(r, fields)).sort(), `${name} (${mode}): our rows`);
      const { files } = await liveFiles(db, uri);
      assert.deepEqual(await duckRows(db, uri, files, table, source.partitionColumns), expected, `${name} (${mode}): rows`);
    }
  }
  db.closeSync();
});
