import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DateDay, Field, Int32, Int64, Schema, TimestampMicrosecond, Utf8, Float64 } from 'apache-arrow';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { batchOf, idBatch, tempDir } from '../support/temp.js';
import { tableIds } from '../support/read.js';


async function commitLines(uri: string, version: number): Promise<Array<Record<string, any>>> {
  const text = await readFile(path.join(uri, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

test('writing a new table creates version 0 with protocol (1,2), metaData and Spark-shaped commitInfo', async () => {
  const uri = await tempDir();
  const result = await writeDeltaTable(uri, idBatch([1, 2, 3]));
  assert.equal(result.version, 0);
  assert.deepEqual(await tableIds(uri), [1, 2, 3]);
  const lines = await commitLines(uri, 0);
  assert.ok('commitInfo' in lines[0]!, 'commitInfo is the first line');
  const info = lines[0]!.commitInfo;
  assert.equal(info.operation, 'CREATE TABLE AS SELECT');
  assert.equal(info.isolationLevel, 'Serializable');
  assert.equal(info.isBlindAppend, false);
  assert.match(info.engineInfo, /^deltalake-ts\/\d+\.\d+\.\d+$/);
  assert.match(info.txnId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(info.operationMetrics, { numFiles: '1', numOutputRows: '3', numOutputBytes: String(lines.find((l) => l.add)!.add.size) });
  assert.deepEqual(lines.find((l) => l.protocol)!.protocol, { minReaderVersion: 1, minWriterVersion: 2 });
  const add = lines.find((l) => l.add)!.add;
  assert.match(add.path, /^part-00000-[0-9a-f-]+\.c000\.snappy\.parquet$/);
  assert.deepEqual(JSON.parse(add.stats), { numRecords: 3, minValues: { id: 1, label: 'x' }, maxValues: { id: 3, label: 'x' }, nullCount: { id: 0, label: 0 } });
});

test('append adds rows at the next version as a blind append; mode error refuses an existing table', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]));
  const r = await writeDeltaTable(uri, idBatch([2, 3]), { mode: 'append' });
  assert.equal(r.version, 1);
  assert.equal((await commitLines(uri, 1))[0]!.commitInfo.isBlindAppend, true);
  assert.equal((await commitLines(uri, 1))[0]!.commitInfo.readVersion, 0);
  assert.deepEqual(await tableIds(uri), [1, 2, 3]);
  await assert.rejects(writeDeltaTable(uri, idBatch([9])), (e: unknown) => e instanceof DeltaError && e.code === 'INVALID_ARGUMENT' && /already exists/.test(e.message));
  const ignored = await writeDeltaTable(uri, idBatch([9]), { mode: 'ignore' });
  assert.deepEqual([ignored.version, ignored.skipped], [1, true]);
  assert.deepEqual(await tableIds(uri), [1, 2, 3]);
});

test('overwrite replaces every row; the old version still reads by time travel', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1, 2]));
  await writeDeltaTable(uri, idBatch([7]), { mode: 'overwrite' });
  assert.deepEqual(await tableIds(uri), [7]);
  assert.deepEqual(await tableIds(uri, 0), [1, 2]);
  const removes = (await commitLines(uri, 1)).filter((l) => l.remove);
  assert.equal(removes.length, 1);
  assert.equal(removes[0]!.remove.dataChange, true);
  assert.equal(typeof removes[0]!.remove.deletionTimestamp, 'number');
});

test('partitioned writes use Hive folders and partitionValues strings; a partition predicate overwrite replaces only its partition', async () => {
  const uri = await tempDir();
  const rows = (country: string[], id: number[]) => batchOf({
    id: { type: new Int64(), values: id.map(BigInt) },
    country: { type: new Utf8(), values: country },
  });
  await writeDeltaTable(uri, rows(['BR', 'US', 'BR', 'a b/c'], [1, 2, 3, 4]), { partitionBy: ['country'] });
  const dirs = (await readdir(uri)).filter((d) => !d.startsWith('_')).sort();
  assert.deepEqual(dirs, ['country=BR', 'country=US', 'country=a b%2Fc']);
  const table = await DeltaTable.open(uri);
  assert.deepEqual((await table.files()).map((f) => f.partitionValues.country).sort(), ['BR', 'US', 'a b/c']);
  await writeDeltaTable(uri, rows(['BR'], [10]), { mode: 'overwrite', predicate: [['country', '=', 'BR']] });
  assert.deepEqual(await tableIds(uri), [2, 4, 10]);
  const info = (await commitLines(uri, 1))[0]!.commitInfo;
  assert.equal(info.operationParameters.mode, 'Overwrite');
  assert.equal((await commitLines(uri, 1)).filter((l) => l.remove).length, 1);
  await assert.rejects(
    writeDeltaTable(uri, rows(['US'], [11]), { mode: 'overwrite', predicate: [['country', '=', 'BR']] }),
    (e: unknown) => e instanceof DeltaError && e.code === 'INVALID_ARGUMENT' && /do not match the overwrite predicate/.test(e.message),
  );
});

test('overwrite with a data-column predicate rewrites only the affected files, keeping their other rows', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1, 2, 3, 4], 'old'));
  await writeDeltaTable(uri, idBatch([100], 'other'), { mode: 'append' });
  await writeDeltaTable(uri, idBatch([2], 'new'), { mode: 'overwrite', predicate: [['id', '<=', 2]] });
  const t = await (await DeltaTable.open(uri)).toArrow();
  const got = t.toArray().map((r) => `${r.id}:${r.label}`).sort();
  assert.deepEqual(got, ['100:other', '2:new', '3:old', '4:old']);
  const lines = await commitLines(uri, 2);
  assert.equal(lines.filter((l) => l.remove).length, 1, 'the untouched file stays');
});

test('schema enforcement: extra column, wrong type and nulls in NOT NULL are SCHEMA_MISMATCH and nothing reaches the log', async () => {
  const uri = await tempDir();
  await DeltaTable.create(uri, { schema: new Schema([new Field('id', new Int64(), false), new Field('name', new Utf8(), true)]) });
  const mismatch = (re: RegExp) => (e: unknown) => e instanceof DeltaError && e.code === 'SCHEMA_MISMATCH' && re.test(e.message) && !!e.hint;
  await assert.rejects(writeDeltaTable(uri, batchOf({ id: { type: new Int64(), values: [1n] }, extra: { type: new Utf8(), values: ['x'] } }), { mode: 'append' }), mismatch(/"extra"/));
  await assert.rejects(writeDeltaTable(uri, batchOf({ id: { type: new Utf8(), values: ['1'] } }), { mode: 'append' }), mismatch(/"id" is string in the data but long/));
  await assert.rejects(writeDeltaTable(uri, batchOf({ id: { type: new Int64(), values: [1n, null, null] } }), { mode: 'append' }), mismatch(/2 null value/));
  assert.equal((await DeltaTable.open(uri)).version, 0);
  // Case-insensitive names keep the table's case; int widens to long; a missing nullable column is null.
  await writeDeltaTable(uri, batchOf({ ID: { type: new Int32(), values: [5] } }), { mode: 'append' });
  const t = await (await DeltaTable.open(uri)).toArrow();
  assert.deepEqual(t.schema.fields.map((f) => f.name), ['id', 'name']);
  assert.deepEqual(t.toArray().map((r) => [Number(r.id), r.name]), [[5, null]]);
});

test("schemaMode 'merge' adds nullable columns through a new metaData; older rows read them as null", async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]));
  await writeDeltaTable(uri, batchOf({ id: { type: new Int64(), values: [2n] }, score: { type: new Float64(), values: [0.5] } }), { mode: 'append', schemaMode: 'merge' });
  const t = await DeltaTable.open(uri);
  assert.deepEqual(t.schema.fields.map((f) => f.name), ['id', 'label', 'score']);
  const rows = (await t.toArrow()).toArray().map((r) => [Number(r.id), r.score]).sort();
  assert.deepEqual(rows, [[1, null], [2, 0.5]]);
  assert.equal((await commitLines(uri, 1))[0]!.commitInfo.isBlindAppend, false);
});

test('appTransaction writes a txn and skips a replayed or older version for the same appId', async () => {
  const uri = await tempDir();
  const a = await writeDeltaTable(uri, idBatch([1]), { appTransaction: { appId: 'job', version: 5 } });
  const again = await writeDeltaTable(uri, idBatch([1]), { mode: 'append', appTransaction: { appId: 'job', version: 5 } });
  const older = await writeDeltaTable(uri, idBatch([1]), { mode: 'append', appTransaction: { appId: 'job', version: 4 } });
  const next = await writeDeltaTable(uri, idBatch([2]), { mode: 'append', appTransaction: { appId: 'job', version: 6 } });
  assert.deepEqual([a.version, again.skipped, older.skipped, next.version], [0, true, true, 1]);
  assert.equal((await DeltaTable.open(uri)).appTransactionVersion('job'), 6);
  assert.deepEqual(await tableIds(uri), [1, 2]);
});

test('delta.appendOnly=true refuses an overwrite with UNSUPPORTED_FEATURE and keeps the table', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]), { properties: { 'delta.appendOnly': 'true' } });
  await assert.rejects(writeDeltaTable(uri, idBatch([2]), { mode: 'overwrite' }), (e: unknown) => e instanceof DeltaError && e.code === 'UNSUPPORTED_FEATURE' && /append-only/.test(e.message));
  assert.deepEqual(await tableIds(uri), [1]);
});

test('dates, timestamps and a NOT NULL column round-trip; NOT NULL on v2 needs no table features', async () => {
  const uri = await tempDir();
  const schema = new Schema([new Field('d', new DateDay(), false), new Field('ts', new TimestampMicrosecond('UTC'), true)]);
  await DeltaTable.create(uri, { schema });
  await writeDeltaTable(uri, batchOf({
    d: { type: new DateDay(), values: [new Date('2024-02-29T00:00:00Z')], nullable: false },
    ts: { type: new TimestampMicrosecond('UTC'), values: [Date.parse('2024-02-29T12:34:56.789Z')] },
  }), { mode: 'append' });
  const t = await (await DeltaTable.open(uri)).toArrow();
  const ts = t.getChild('ts')!.data[0]!.values as BigInt64Array;
  assert.equal(ts[0], 1709210096789000n);
  assert.deepEqual((await DeltaTable.open(uri)).protocol, { minReaderVersion: 1, minWriterVersion: 2 });
});

test('a checkpoint is written every delta.checkpointInterval commits and the table reads through it', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([0]), { properties: { 'delta.checkpointInterval': '3' } });
  for (let i = 1; i <= 7; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  const log = (await readdir(path.join(uri, '_delta_log'))).sort();
  assert.ok(log.includes('00000000000000000003.checkpoint.parquet'));
  assert.ok(log.includes('00000000000000000006.checkpoint.parquet'));
  const last = JSON.parse(await readFile(path.join(uri, '_delta_log', '_last_checkpoint'), 'utf8'));
  assert.equal(last.version, 6);
  assert.equal(last.numOfAddFiles, 7);
  assert.deepEqual(await tableIds(uri), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(await tableIds(uri, 4), [0, 1, 2, 3, 4]);
});

test('a sliced Arrow table (buffers shared with the whole) writes exactly its rows, with statistics of those rows', async () => {
  const whole = batchOf({
    id: { type: new Int64(), values: [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n] },
    label: { type: new Utf8(), values: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] },
    part: { type: new Utf8(), values: ['x', 'y', 'x', 'y', 'x', 'y', 'x', 'y', 'x', 'y'] },
  });
  for (const partitionBy of [[], ['part']]) {
    const uri = await tempDir();
    await writeDeltaTable(uri, whole.slice(3, 8), { partitionBy });
    const table = await DeltaTable.open(uri);
    const rows = (await table.toArrow()).toArray().map((r) => `${r.id}${r.label}${r.part}`).sort();
    assert.deepEqual(rows, ['3dy', '4ex', '5fy', '6gx', '7hy'], `partitionBy ${partitionBy}`);
    const stats = (await commitLines(uri, 0)).filter((l) => l.add).map((l) => JSON.parse(l.add.stats));
    assert.deepEqual(stats.map((s) => [s.minValues.id, s.maxValues.id, s.minValues.label, s.maxValues.label]).sort(),
      partitionBy.length ? [[3, 7, 'd', 'h'], [4, 6, 'e', 'g']] : [[3, 7, 'd', 'h']]);
    const filtered = await table.toArrow({ filter: [['id', '>=', 6n]] });
    assert.deepEqual(filtered.toArray().map((r) => Number(r.id)).sort(), [6, 7]);
  }
});
