import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DeltaTable } from '../../src/index.js';
import { idBatch, tempDir } from '../support/temp.js';
import { startEngines, type Engines } from '../support/interop-engines.js';

/*
 * Streams across engines: Spark's readStream over a table our sink writes, and our readStream
 * over a table Spark's writeStream writes. Every row arrives once.
 */

let engines: Engines;
before(async () => { engines = await startEngines(); }, { timeout: 900_000 });
after(async () => { await engines.close(); });

test('Spark readStream sees every row our writeStream sink committed, once', { timeout: 900_000 }, async () => {
  const dir = await tempDir('dlts-stream-ours-');
  const uri = path.join(dir, 'table');
  const sink = DeltaTable.writeStream(uri, { appId: 'interop-sink' });
  const expected: number[] = [];
  for (let b = 0; b < 5; b++) {
    const ids = [b * 10, b * 10 + 1, b * 10 + 2];
    expected.push(...ids);
    await sink.write(b, idBatch(ids, `b${b}`));
  }
  await sink.write(2, idBatch([999], 'replayed')); // a replayed batch id: skipped, exactly once
  const ids = await engines.run<number[]>(`
s = spark()
q = (s.readStream.format("delta").load(args["path"]).writeStream.format("memory").queryName("ours_stream")
     .option("checkpointLocation", args["ckpt"]).trigger(availableNow=True).start())
q.awaitTermination()
result = sorted(r["id"] for r in s.sql("SELECT id FROM ours_stream").collect())
`, { path: uri, ckpt: path.join(dir, 'spark-ckpt') });
  assert.deepEqual(ids, expected);
});

test('our readStream sees every row Spark\'s writeStream committed, once', { timeout: 900_000 }, async () => {
  const dir = await tempDir('dlts-stream-spark-');
  const uri = path.join(dir, 'table');
  await engines.run(`
s = spark()
src = s.range(0, 30).selectExpr("id", "CAST(id % 3 AS INT) AS part")
src.write.format("parquet").save(args["src"])
q = (s.readStream.format("parquet").schema(src.schema).option("maxFilesPerTrigger", 1).load(args["src"])
     .writeStream.format("delta").option("checkpointLocation", args["ckpt"]).trigger(availableNow=True).start(args["path"]))
q.awaitTermination()
`, { path: uri, src: path.join(dir, 'src'), ckpt: path.join(dir, 'spark-ckpt') });
  const table = await DeltaTable.open(uri);
  assert.ok(table.version >= 1, `several micro-batch commits, got version ${table.version}`);
  const controller = new AbortController();
  const seen: number[] = [];
  for await (const batch of DeltaTable.readStream(uri, { startingVersion: 0, availableNow: true, signal: controller.signal })) {
    seen.push(...[...batch.data.getChild('id')!.toArray()].map(Number));
  }
  assert.deepEqual(seen.sort((a, b) => a - b), [...Array(30).keys()]);
  const history = await table.history();
  assert.ok(history.every((h) => h.operation === 'STREAMING UPDATE'), JSON.stringify(history.map((h) => h.operation)));
});
