import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { DeltaTable } from '../../src/index.js';
import { tempDir } from '../support/temp.js';
import {
  assertEnginesReadOurVersions, ourChanges, RS_REFUSES_DELETION_VECTORS, RS_REFUSES_V2_CHECKPOINTS, sortedKeys, startEngines, type Engines,
} from '../support/interop-engines.js';

/*
 * They write, we read: tables written fresh by Spark (Delta Lake) and by delta-rs with the
 * features they support. At every version we must read exactly what Spark (and delta-rs, where it
 * reads the feature) reads, and our changes() must equal Spark's change feed.
 */

let engines: Engines;
before(async () => { engines = await startEngines(); }, { timeout: 900_000 });
after(async () => { await engines.close(); });

async function sql(...statements: string[]): Promise<void> {
  for (const s of statements) await engines.sparkSql(s);
}

async function assertSameChanges(uri: string, start: number, label: string, rs = true): Promise<void> {
  const ours = await ourChanges(uri, start);
  assert.ok(ours.keys.length > 0, `${label}: some change rows`);
  assert.deepEqual(sortedKeys(await engines.sparkChanges(uri, start), ours.fields), ours.keys, `${label}: Spark's change feed from v${start}`);
  if (rs) assert.deepEqual(sortedKeys(await engines.rsChanges(uri, start), ours.fields), ours.keys, `${label}: delta-rs's change feed from v${start}`);
}

test('we read Spark\'s DELETE, UPDATE and MERGE with deletion vectors and its change feed, at every version', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-spark-dv-');
  const t = `delta.\`${uri}\``;
  await sql(
    `CREATE TABLE ${t} (id BIGINT, status STRING, p STRING) USING delta PARTITIONED BY (p)
       TBLPROPERTIES ('delta.enableDeletionVectors' = 'true', 'delta.enableChangeDataFeed' = 'true')`,
    `INSERT INTO ${t} SELECT id, 'new', IF(id % 2 = 0, 'even', 'odd') FROM range(0, 40)`,
    `DELETE FROM ${t} WHERE id % 5 = 0`,
    `UPDATE ${t} SET status = 'late' WHERE id > 30`,
    `MERGE INTO ${t} AS target USING (SELECT id, 'merged' AS status, IF(id % 2 = 0, 'even', 'odd') AS p FROM range(35, 45)) AS source
       ON target.id = source.id WHEN MATCHED AND target.id = 36 THEN DELETE WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *`,
  );
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, 4);
  assert.ok(table.protocol.readerFeatures?.includes('deletionVectors'));
  // delta-rs 1.6.6 refuses the table (deletion vectors are in its protocol from version 0).
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'spark dv', { rsFails: RS_REFUSES_DELETION_VECTORS }), 5);
  await assertSameChanges(uri, 1, 'spark dv', false);
});

test('we read Spark\'s column mapping with a rename and a drop, at every version', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-spark-cm-');
  const t = `delta.\`${uri}\``;
  await sql(
    `CREATE TABLE ${t} (id BIGINT, name STRING, extra INT, nested STRUCT<a: INT, b: STRING>) USING delta
       TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')`,
    `INSERT INTO ${t} VALUES (1, 'one', 10, named_struct('a', 1, 'b', 'x')), (2, 'two', 20, NULL)`,
    `ALTER TABLE ${t} RENAME COLUMN name TO title`,
    `ALTER TABLE ${t} DROP COLUMN extra`,
    `ALTER TABLE ${t} RENAME COLUMN nested.b TO bee`,
    `INSERT INTO ${t} VALUES (3, 'three', named_struct('a', 3, 'bee', 'z'))`,
    `ALTER TABLE ${t} ADD COLUMN (extra STRING)`,
    `INSERT INTO ${t} VALUES (4, 'four', NULL, 'new extra')`,
  );
  const latest = await DeltaTable.open(uri);
  assert.deepEqual(latest.schema.fields.map((f) => f.name), ['id', 'title', 'nested', 'extra']);
  // delta-rs 1.6.6 does not map column names (spec/interop.md): Spark is the reference here.
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'spark column mapping', { skipRs: true }), latest.version + 1);
});

for (const policy of ['classic', 'v2']) {
  test(`we read Spark's ${policy} checkpoints at every version after it`, { timeout: 900_000 }, async () => {
    const uri = await tempDir('dlts-spark-ckpt-');
    const t = `delta.\`${uri}\``;
    await sql(`CREATE TABLE ${t} (id BIGINT, p STRING) USING delta PARTITIONED BY (p)
      TBLPROPERTIES ('delta.checkpointInterval' = '3'${policy === 'v2' ? ", 'delta.checkpointPolicy' = 'v2'" : ''})`);
    for (let i = 0; i < 7; i++) await sql(`INSERT INTO ${t} VALUES (${i}, '${i % 2 ? 'a' : 'b'}')`);
    await sql(`DELETE FROM ${t} WHERE id = 2`);
    const log = (await readdir(`${uri}/_delta_log`)).sort();
    assert.ok(log.some((n) => n.includes('.checkpoint.')), log.join(' '));
    if (policy === 'v2') assert.ok(log.some((n) => /checkpoint\.[0-9a-f-]{36}\.(json|parquet)$/.test(n)), `a UUID-named v2 checkpoint: ${log.join(' ')}`);
    const latest = await DeltaTable.open(uri);
    assert.equal(latest.version, 8);
    const rs = policy === 'v2' ? { rsFails: RS_REFUSES_V2_CHECKPOINTS } : {};
    assert.equal(await assertEnginesReadOurVersions(engines, uri, `spark ${policy} checkpoint`, rs), 9);
  });
}

test('we read Spark\'s replaceWhere overwrite and OPTIMIZE ZORDER BY at every version', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-spark-opt-');
  await engines.run(`
s = spark()
path = args["path"]
for i in range(4):
    s.range(i * 10, i * 10 + 10).selectExpr("id", "id % 7 AS y", "IF(id % 2 = 0, 'a', 'b') AS p").write.format("delta").mode("append").partitionBy("p").save(path)
s.range(100, 103).selectExpr("id", "CAST(0 AS BIGINT) AS y", "'a' AS p").write.format("delta").mode("overwrite").option("replaceWhere", "p = 'a'").save(path)
s.sql("OPTIMIZE delta.\`%s\` ZORDER BY (id, y)" % path)
`, { path: uri });
  const latest = await DeltaTable.open(uri);
  assert.equal(latest.version, 5);
  const history = await latest.history();
  assert.deepEqual(history.map((h) => h.operation), ['OPTIMIZE', 'WRITE', 'WRITE', 'WRITE', 'WRITE', 'WRITE']);
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'spark optimize'), 6);
});

test('we read delta-rs\'s writes, merge, delete, optimize, Z-order and vacuum at every version, and its change feed', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-rs-');
  await engines.run(`
from deltalake import DeltaTable, write_deltalake
path = args["path"]
def rows(ids, status):
    return pa.table({"id": pa.array(ids, pa.int64()), "status": pa.array([status] * len(ids)),
                     "amount": pa.array([decimal.Decimal(i) / 4 for i in ids], pa.decimal128(10, 2)),
                     "day": pa.array([dt.date(2024, 1, 1 + i % 3) for i in ids])})
write_deltalake(path, rows(list(range(0, 12)), "new"), partition_by=["day"], configuration={"delta.enableChangeDataFeed": "true"})
write_deltalake(path, rows(list(range(12, 20)), "new"), mode="append")
t = DeltaTable(path)
t.merge(rows([3, 4, 25], "merged"), predicate="target.id = source.id", source_alias="source", target_alias="target") \\
  .when_matched_update_all().when_not_matched_insert_all().execute()
DeltaTable(path).delete("id % 4 = 1")
DeltaTable(path).update(updates={"status": "'updated'"}, predicate="id > 15")
DeltaTable(path).optimize.compact()
DeltaTable(path).optimize.z_order(["id"])
`, { path: uri });
  const latest = await DeltaTable.open(uri);
  assert.equal(latest.version, 6);
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'delta-rs'), 7);
  await assertSameChanges(uri, 0, 'delta-rs', true);
  await engines.run(`
from deltalake import DeltaTable
DeltaTable(args["path"]).vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
`, { path: uri });
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'delta-rs vacuumed', { versions: [(await DeltaTable.open(uri)).version] }), 1);
});
