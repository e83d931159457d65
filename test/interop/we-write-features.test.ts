import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Bool, DateDay, Decimal, Field, Int32, Int64, makeData, RecordBatch, Schema, Struct, TimestampMicrosecond, Utf8, vectorFromArray, type Data, type DataType,
} from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { tempDir } from '../support/temp.js';
import {
  assertEnginesReadOurVersions, assertSameHistory, ourChanges, RS_NEGATIVE_DECIMAL_PARTITION_BUG, RS_REFUSES_DELETION_VECTORS, sortedKeys, startEngines, type Engines,
} from '../support/interop-engines.js';

/*
 * We write, they read: tables made by each of our operations (partitions of every type,
 * predicate overwrite, schema evolution, checkpoints and log cleanup, CDF, in-commit timestamps,
 * restore, vacuum, DELETE/UPDATE/MERGE with and without deletion vectors, OPTIMIZE and Z-order),
 * read by Spark and delta-rs at every version, with history and change rows compared.
 */

let engines: Engines;
before(async () => { engines = await startEngines(); }, { timeout: 900_000 });
after(async () => { await engines.close(); });

const DAY_MS = 86_400_000;

function decimalData(values: Array<bigint | null>, precision: number, scale: number): Data {
  const type = new Decimal(scale, precision, 128);
  const words = new Uint32Array(values.length * 4);
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) return;
    nullBitmap[i >> 3]! |= 1 << (i & 7);
    let x = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++, x >>= 32n) words[i * 4 + w] = Number(x & 0xffffffffn);
  });
  const nullCount = values.filter((v) => v === null).length;
  return makeData({ type, length: values.length, nullCount, data: words, ...(nullCount ? { nullBitmap } : {}) });
}

/** A batch from columns given as typed values (a decimal column as ready-made Data). */
function batch(columns: Record<string, { type: DataType; values: unknown[] } | Data>): RecordBatch {
  const children = Object.values(columns).map((c) => ('values' in c && Array.isArray(c.values) ? vectorFromArray(c.values, c.type).data[0]! : c as Data));
  const fields = Object.keys(columns).map((name, i) => new Field(name, children[i]!.type, true));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: children[0]!.length, nullCount: 0, children }));
}

/** Rows with a partition column of every type, escaped characters and nulls among the values. */
function partitionRows(ids: number[], s: Array<string | null>, n: number): RecordBatch {
  const pick = <T>(xs: T[]): T[] => ids.map((_, i) => xs[(i + n) % xs.length]!);
  return batch({
    id: { type: new Int64(), values: ids.map(BigInt) },
    s: { type: new Utf8(), values: ids.map((_, i) => s[i % s.length]!) },
    i: { type: new Int32(), values: pick([1, -7, null, 2147483647]) },
    l: { type: new Int64(), values: pick([9007199254740993n, -1n, null]) },
    d: { type: new DateDay(), values: pick([new Date(0), new Date(19_000 * DAY_MS), null, new Date(-40_000 * DAY_MS)]) },
    ts: { type: new TimestampMicrosecond('UTC'), values: pick([1_700_000_000_123, null, 0]) },
    b: { type: new Bool(), values: pick([true, false, null]) },
    dec: decimalData(pick([12345n, 150n, null, 0n]), 10, 2),
  });
}

const PARTITIONS = ['s', 'i', 'l', 'd', 'ts', 'b', 'dec'];
const ESCAPED = ['plain', 'a b/c=d%e#f', null, 'ünï cødé', 'x:y{z}[w]'];

test('Spark and delta-rs read our partitions of every type, a predicate overwrite and a schema evolution at every version', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-interop-parts-');
  await writeDeltaTable(uri, partitionRows([1, 2, 3, 4, 5], ESCAPED, 0), { partitionBy: PARTITIONS });
  await writeDeltaTable(uri, partitionRows([6, 7, 8], ESCAPED, 1), { mode: 'append' });
  await writeDeltaTable(uri, partitionRows([9, 10], ['plain'], 2), { mode: 'overwrite', predicate: [['s', '=', 'plain']] });
  const extra = partitionRows([11], ['new'], 3);
  const withNote = batch({ ...Object.fromEntries(extra.schema.fields.map((f, i) => [f.name, extra.getChildAt(i)!.data[0]!])), note: { type: new Utf8(), values: ['added'] } });
  await writeDeltaTable(uri, withNote, { mode: 'append', schemaMode: 'merge' });
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'partitions'), 4);
  await assertSameHistory(engines, uri, 'partitions');
});

test('Spark and delta-rs read our table after 12 commits, from our checkpoint, once log cleanup removed the old commits', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-interop-ckpt-');
  const props = { 'delta.logRetentionDuration': 'interval 0 seconds', 'delta.checkpointInterval': '5' };
  await writeDeltaTable(uri, batch({ id: { type: new Int64(), values: [0n] }, p: { type: new Utf8(), values: ['a'] } }), { partitionBy: ['p'], properties: props });
  for (let v = 1; v <= 12; v++) {
    await writeDeltaTable(uri, batch({ id: { type: new Int64(), values: [BigInt(v)] }, p: { type: new Utf8(), values: [v % 2 ? 'a' : 'b'] } }), { mode: 'append' });
  }
  const t = await DeltaTable.open(uri);
  assert.equal(t.version, 12);
  // Checkpoints at 5 and 10; cleanup keeps what reading from the newest one needs.
  const { readdir } = await import('node:fs/promises');
  const log = (await readdir(`${uri}/_delta_log`)).sort();
  assert.ok(log.includes('00000000000000000010.checkpoint.parquet'), log.join(' '));
  assert.ok(!log.includes('00000000000000000000.json'), `old commits cleaned up: ${log.join(' ')}`);
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'checkpointed', { versions: [10, 11, 12] }), 3);
  const detail = await engines.sparkDetail(uri);
  assert.deepEqual([detail['numFiles'], detail['partitionColumns']], [13, ['p']]);
});

test('Spark and delta-rs read our change data feed (append, update, delete, merge) exactly as we do', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-interop-cdf-');
  const rows = (ids: number[], qty: number) => batch({ id: { type: new Int64(), values: ids.map(BigInt) }, qty: { type: new Int32(), values: ids.map(() => qty) } });
  await writeDeltaTable(uri, rows([1, 2, 3, 4], 1), { properties: { 'delta.enableChangeDataFeed': 'true' } });
  await writeDeltaTable(uri, rows([5, 6], 2), { mode: 'append' });
  await (await DeltaTable.open(uri)).update({ predicate: 'id <= 2', set: { qty: 'qty + 10' } });
  await (await DeltaTable.open(uri)).delete('id = 3');
  await (await DeltaTable.open(uri)).merge(rows([4, 7], 9), { on: 'target.id = source.id' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'cdf'), 5);
  for (const start of [0, 2]) {
    const ours = await ourChanges(uri, start);
    assert.deepEqual(sortedKeys(await engines.sparkChanges(uri, start), ours.fields), ours.keys, `Spark's changes from v${start}`);
    assert.deepEqual(sortedKeys(await engines.rsChanges(uri, start), ours.fields), ours.keys, `delta-rs's changes from v${start}`);
  }
  await assertSameHistory(engines, uri, 'cdf');
});

test('Spark reads our in-commit timestamps as the commit times, and time travel by timestamp lands on our version', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-interop-ict-');
  const one = (id: number) => batch({ id: { type: new Int64(), values: [BigInt(id)] } });
  await writeDeltaTable(uri, one(0), { properties: { 'delta.enableInCommitTimestamps': 'true' } });
  for (let i = 1; i <= 3; i++) await writeDeltaTable(uri, one(i), { mode: 'append' });
  const ours = await (await DeltaTable.open(uri)).history();
  const spark = await engines.sparkHistory(uri);
  assert.deepEqual(spark.map((h) => [h.version, h.timestampMs]), ours.map((h) => [h.version, h.timestamp]));
  const v2 = ours.find((h) => h.version === 2)!;
  const at = new Date(v2.timestamp).toISOString().replace('T', ' ').replace('Z', '');
  const ourAt = await DeltaTable.open(uri, { timestamp: new Date(v2.timestamp) });
  assert.equal(ourAt.version, 2);
  assert.deepEqual(sortedKeys(await engines.sparkRead(uri, { timestamp: at }), [{ name: 'id', type: new Int64() }]), ['{"id":"0"}', '{"id":"1"}', '{"id":"2"}']);
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'ict'), 4);
});

test('Spark reads our negative decimal partition values; delta-rs 1.6.6 fails to parse them', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-interop-negdec-');
  await writeDeltaTable(uri, batch({ id: { type: new Int64(), values: [1n, 2n, 3n] }, dec: decimalData([-150n, -1n, 42n], 10, 2) }), { partitionBy: ['dec'] });
  const files = await (await DeltaTable.open(uri)).files();
  assert.deepEqual(files.map((f) => f.partitionValues['dec']).sort(), ['-0.01', '-1.50', '0.42']);
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'negative decimals', { rsFails: RS_NEGATIVE_DECIMAL_PARTITION_BUG }), 1);
});

test('Spark and delta-rs read our restore, and the latest version after our vacuum', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-interop-restore-');
  const rows = (ids: number[]) => batch({ id: { type: new Int64(), values: ids.map(BigInt) }, p: { type: new Utf8(), values: ids.map((i) => (i % 2 ? 'odd' : 'even')) } });
  await writeDeltaTable(uri, rows([1, 2, 3]), { partitionBy: ['p'] });
  await writeDeltaTable(uri, rows([4, 5]), { mode: 'append' });
  await writeDeltaTable(uri, rows([6]), { mode: 'overwrite' });
  await (await DeltaTable.open(uri)).restore({ version: 1 });
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'restore'), 4);
  await assertSameHistory(engines, uri, 'restore');
  const vacuumed = await (await DeltaTable.open(uri)).vacuum({ retentionHours: 0, enforceRetention: false, dryRun: false });
  assert.equal(vacuumed.files.length, 1, 'the overwrite\'s file, unreferenced since the restore');
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'vacuumed', { versions: [3] }), 1);
});

for (const dv of [true, false]) {
  test(`Spark and delta-rs read our DELETE, UPDATE and MERGE ${dv ? 'with' : 'without'} deletion vectors at every version`, { timeout: 900_000 }, async () => {
    const uri = await tempDir('dlts-interop-dml-');
    const rows = (ids: number[], status: string) => batch({ id: { type: new Int64(), values: ids.map(BigInt) }, status: { type: new Utf8(), values: ids.map(() => status) } });
    await writeDeltaTable(uri, rows([...Array(20).keys()], 'new'), { properties: { 'delta.enableDeletionVectors': String(dv) } });
    await (await DeltaTable.open(uri)).delete('id % 3 = 0');
    await (await DeltaTable.open(uri)).update({ predicate: 'id > 15', set: { status: "'late'" } });
    const merged = await (await DeltaTable.open(uri)).merge(rows([1, 2, 30], 'merged'), { on: 'target.id = source.id' })
      .whenMatchedDelete({ predicate: 'target.id = 1' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    assert.deepEqual([merged.numTargetRowsDeleted, merged.numTargetRowsUpdated, merged.numTargetRowsInserted], [1, 1, 1]);
    const protocol = (await DeltaTable.open(uri)).protocol;
    assert.equal(protocol.readerFeatures?.includes('deletionVectors') ?? false, dv);
    assert.equal(await assertEnginesReadOurVersions(engines, uri, `dml dv=${dv}`, dv ? { rsFails: RS_REFUSES_DELETION_VECTORS } : {}), 4);
    await assertSameHistory(engines, uri, `dml dv=${dv}`);
  });
}

test('Spark and delta-rs read our OPTIMIZE and Z-order output at every version', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-interop-opt-');
  const rows = (from: number) => batch({
    x: { type: new Int64(), values: [...Array(10).keys()].map((i) => BigInt(from + i)) },
    y: { type: new Int32(), values: [...Array(10).keys()].map((i) => (from * 7 + i * 13) % 50) },
    p: { type: new Utf8(), values: [...Array(10).keys()].map((i) => (i % 2 ? 'a' : 'b')) },
  });
  await writeDeltaTable(uri, rows(0), { partitionBy: ['p'], properties: { 'delta.enableDeletionVectors': 'true' } });
  for (let i = 1; i < 5; i++) await writeDeltaTable(uri, rows(i * 10), { mode: 'append' });
  await (await DeltaTable.open(uri)).delete('x = 3');
  const packed = await (await DeltaTable.open(uri)).optimize();
  assert.deepEqual([packed.numFilesRemoved, packed.numFilesAdded], [10, 2]);
  const zordered = await (await DeltaTable.open(uri)).optimize({ zOrderBy: ['x', 'y'] });
  assert.equal(zordered.numFilesAdded, 2);
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'optimize', { rsFails: RS_REFUSES_DELETION_VECTORS }), 8);
  await assertSameHistory(engines, uri, 'optimize');
});
