import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DeltaError, DeltaTable, writeDeltaTable, type StorageOptions } from '../../src/index.js';
import { S3Store } from '../../src/storage/s3-store.js';
import { parseTableUri } from '../../src/storage/store-for-url.js';
import { canonicalKey, canonicalRows } from '../support/canonical.js';
import { corpusRoot, repoRoot } from '../support/paths.js';
import { startWorker } from '../support/processes.js';
import { freshS3Uri, s3Options, s3TestOptions } from '../support/s3.js';
import { idBatch } from '../support/temp.js';

const storage: StorageOptions = s3Options();

async function ids(uri: string, opts: { version?: number } = {}): Promise<number[]> {
  const t = await DeltaTable.open(uri, { ...opts, storage });
  return [...(await t.toArrow({ columns: ['id'] })).getChild('id')!].map(Number).sort((a, b) => a - b);
}

/** Uploads a local directory tree to the S3 location of `uri`. */
async function upload(localDir: string, uri: string): Promise<void> {
  const loc = parseTableUri(uri) as { bucket: string; prefix: string };
  const store = new S3Store(loc.bucket, loc.prefix, storage);
  const files: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(path.join(dir, e.name), `${rel}${e.name}/`);
      else files.push(`${rel}${e.name}`);
    }
  };
  await walk(localDir, '');
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < files.length) {
      const f = files[next++]!;
      await store.put(f, await readFile(path.join(localDir, f)));
    }
  }));
}

describe('tables on S3 (Ceph RGW)', () => {
  test('write, append, overwrite, time travel, history, checkpoint, restore and vacuum work on s3:// as on disk', s3TestOptions, async () => {
    const uri = freshS3Uri();
    await writeDeltaTable(uri, idBatch([1, 2]), { storage, properties: { 'delta.checkpointInterval': '3' } });
    await writeDeltaTable(uri, idBatch([3]), { mode: 'append', storage });
    await writeDeltaTable(uri, idBatch([4]), { mode: 'append', storage }); // version 2
    await new Promise((r) => setTimeout(r, 1100)); // S3 LastModified has 1 s resolution
    await writeDeltaTable(uri, idBatch([9]), { mode: 'overwrite', storage }); // version 3, checkpoint
    assert.deepEqual(await ids(uri), [9]);
    assert.deepEqual(await ids(uri, { version: 2 }), [1, 2, 3, 4]);
    const t = await DeltaTable.open(uri, { storage });
    assert.equal(t.version, 3);
    assert.deepEqual((await t.history()).map((h) => h.operation), ['WRITE', 'WRITE', 'WRITE', 'CREATE TABLE AS SELECT']);
    const loc = parseTableUri(uri) as { bucket: string; prefix: string };
    const store = new S3Store(loc.bucket, loc.prefix, storage);
    assert.ok(await store.head('_delta_log/00000000000000000003.checkpoint.parquet'), 'automatic checkpoint at version 3');
    assert.equal(JSON.parse(new TextDecoder().decode(await store.get('_delta_log/_last_checkpoint'))).version, 3);
    const loc0 = parseTableUri(uri) as { bucket: string; prefix: string };
    // Time travel reads LastModified from listings (HEAD's HTTP date drops the milliseconds).
    let v2At = 0;
    for await (const m of new S3Store(loc0.bucket, loc0.prefix, storage).list('_delta_log/00000000000000000002.json')) v2At = m.lastModifiedMs;
    assert.equal((await DeltaTable.open(uri, { storage, timestamp: new Date(v2At + 500) })).version, 2, 'time travel by timestamp uses S3 LastModified');
    // Restore and vacuum.
    assert.deepEqual(await t.restore({ version: 1 }), { version: 4 });
    assert.deepEqual(await ids(uri), [1, 2, 3]);
    const latest = await DeltaTable.open(uri, { storage });
    const dry = await latest.vacuum({ retentionHours: 0, enforceRetention: false });
    assert.equal(dry.files.length, 2, 'the files of versions 2 and 3 are no longer needed');
    const done = await latest.vacuum({ retentionHours: 0, enforceRetention: false, dryRun: false });
    assert.deepEqual(done.files.sort(), dry.files.sort());
    for (const f of done.files) assert.equal(await store.head(f), undefined);
    assert.deepEqual(await ids(uri), [1, 2, 3]);
    assert.deepEqual((await (await DeltaTable.open(uri, { storage })).history({ limit: 2 })).map((h) => h.operation), ['VACUUM END', 'VACUUM START']);
  });

  test('every corpus table uploaded to the bucket reads exactly as from disk (or fails with the same error)', s3TestOptions, async () => {
    const manifest = JSON.parse(await readFile(path.join(corpusRoot, 'MANIFEST.json'), 'utf8')) as { tables: Array<{ name: string; path: string }> };
    let same = 0;
    for (const entry of manifest.tables) {
      const local = path.join(corpusRoot, entry.path);
      const uri = freshS3Uri(entry.name);
      await upload(local, uri);
      const read = async (u: string, o: { storage?: StorageOptions }): Promise<unknown> => {
        try {
          const t = await DeltaTable.open(u, o);
          const data = await t.toArrow();
          const rows = canonicalRows(data).map((r) => canonicalKey(r, data.schema.fields)).sort();
          return { version: t.version, files: (await t.files()).map((f) => `${f.path}:${f.size}`).sort(), rows };
        } catch (err) {
          if (err instanceof DeltaError) return { error: err.code };
          throw err;
        }
      };
      assert.deepEqual(await read(uri, { storage }), await read(local, {}), `${entry.name} on S3`);
      same++;
    }
    assert.equal(same, manifest.tables.length);
    console.log(`corpus on S3: ${same}/${manifest.tables.length} tables read identically to disk`);
  });

  test('4 OS processes x 10 appends on one S3 table: versions 0..40, every row exactly once', s3TestOptions, async () => {
    const uri = freshS3Uri();
    await writeDeltaTable(uri, idBatch([-1]), { storage });
    // The workers take the endpoint and keys from the standard AWS environment variables.
    process.env['AWS_ENDPOINT_URL'] = storage.endpoint!;
    process.env['AWS_ACCESS_KEY_ID'] = storage.accessKeyId!;
    process.env['AWS_SECRET_ACCESS_KEY'] = storage.secretAccessKey!;
    const runs = Array.from({ length: 4 }, (_, w) => startWorker('append-worker', [uri, String(w), '10']));
    const results = await Promise.all(runs.map((r) => r.done));
    results.forEach((r, w) => assert.equal(r.code, 0, `writer ${w}: ${r.stderr}`));
    const t = await DeltaTable.open(uri, { storage });
    assert.equal(t.version, 40);
    const expected = [-1, ...Array.from({ length: 4 }, (_, w) => Array.from({ length: 10 }, (_, i) => w * 100_000 + i)).flat()].sort((a, b) => a - b);
    assert.deepEqual(await ids(uri), expected);
    const acked = runs.flatMap((r) => r.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.split(' ')[2])));
    assert.deepEqual(acked.sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
  });

  test('a stream reads an S3 table (checkpoint location on local disk)', s3TestOptions, async () => {
    const uri = freshS3Uri();
    await writeDeltaTable(uri, idBatch([1]), { storage });
    await writeDeltaTable(uri, idBatch([2]), { mode: 'append', storage });
    const got: number[] = [];
    for await (const b of DeltaTable.readStream(uri, { storage, startingVersion: 0, availableNow: true })) got.push(...[...b.data.getChild('id')!].map(Number));
    assert.deepEqual(got, [1, 2]);
  });

  test('the CLI reads s3:// tables with the AWS environment variables', s3TestOptions, async () => {
    const uri = freshS3Uri();
    await writeDeltaTable(uri, idBatch([1, 2, 3]), { storage });
    const env = { ...process.env, AWS_ENDPOINT_URL: storage.endpoint!, AWS_ACCESS_KEY_ID: storage.accessKeyId!, AWS_SECRET_ACCESS_KEY: storage.secretAccessKey! };
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/cli/main.js'), 'describe', uri, '--json'], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout) as { version: number; numFiles?: number };
    assert.equal(d.version, 0);
  });
});
