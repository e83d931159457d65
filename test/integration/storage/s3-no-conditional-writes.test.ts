import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeltaError, DeltaTable, writeDeltaTable, type StorageOptions } from '../../../src/index.js';
import { S3Store } from '../../../src/storage/s3-store.js';
import { S3Proxy } from '../../support/s3-proxy.js';
import { startS3rver, type RunningS3rver } from '../../support/s3rver.js';
import { idBatch } from '../../support/temp.js';

// s3rver is a real S3 HTTP server (npm, in-process) that answers 200 to a second
// `If-None-Match: *` PutObject and overwrites: a store without conditional writes.
describe('a store that does not honour conditional puts (s3rver)', () => {
  let s3rver: RunningS3rver;
  let proxy: S3Proxy;
  let storage: StorageOptions;
  before(async () => {
    s3rver = await startS3rver();
    proxy = new S3Proxy(s3rver.endpoint); // counts the probe's requests
    storage = { ...s3rver.storage, endpoint: await proxy.start() };
  });
  after(async () => {
    await proxy.stop();
    await s3rver.stop();
  });
  const probePuts = (): number => proxy.seen.filter((r) => r.conditional && r.url.includes('.conditional-put-probe-')).length;

  test('the server really overwrites on a second conditional put (what the probe detects)', async () => {
    const store = new S3Store(s3rver.bucket, 'raw', { ...storage, unsafeSingleWriter: true });
    const { PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ endpoint: s3rver.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    for (const body of ['first', 'second']) {
      await client.send(new PutObjectCommand({ Bucket: s3rver.bucket, Key: 'raw/k', Body: Buffer.from(body), IfNoneMatch: '*' }));
    }
    client.destroy();
    assert.equal(new TextDecoder().decode(await store.get('k')), 'second');
  });

  test('writing is refused with UNSUPPORTED_FEATURE before any commit; the verdict is probed once and kept', async () => {
    const uri = `s3://${s3rver.bucket}/refused`;
    const check = (e: unknown): boolean => {
      assert.ok(e instanceof DeltaError);
      assert.equal(e.code, 'UNSUPPORTED_FEATURE');
      assert.match(e.message, /does not honour conditional puts/);
      assert.match(e.message, /overwrite each other's commits/);
      assert.match(e.hint ?? '', /unsafeSingleWriter: true/);
      assert.ok(!`${e.message} ${e.hint}`.includes('S3RVER'), 'no credentials in the error');
      return true;
    };
    await assert.rejects(writeDeltaTable(uri, idBatch([1]), { storage }), check);
    await assert.rejects(writeDeltaTable(uri, idBatch([2]), { storage }), check);
    await assert.rejects(DeltaTable.create(`s3://${s3rver.bucket}/refused-too`, { schema: idBatch([1]).schema, storage }), check);
    assert.equal(probePuts(), 2, 'one probe (two conditional puts) for the endpoint and bucket');
    const store = new S3Store(s3rver.bucket, 'refused', storage);
    assert.equal(await store.head('_delta_log/00000000000000000000.json'), undefined, 'nothing was committed');
    const log: string[] = [];
    for await (const m of store.list('_delta_log/')) log.push(m.path);
    assert.deepEqual(log, [], 'the probe object was removed');
    await assert.rejects(DeltaTable.open(uri, { storage }), (e: unknown) => e instanceof DeltaError && e.code === 'TABLE_NOT_FOUND');
  });

  test('with storage.unsafeSingleWriter one writer creates, appends and reads back a table there', async () => {
    const uri = `s3://${s3rver.bucket}/single-writer`;
    const single: StorageOptions = { ...storage, unsafeSingleWriter: true };
    await writeDeltaTable(uri, idBatch([1, 2]), { storage: single });
    await writeDeltaTable(uri, idBatch([3]), { mode: 'append', storage: single });
    const table = await DeltaTable.open(uri, { storage: single });
    assert.equal(table.version, 1);
    assert.deepEqual([...(await table.toArrow()).getChild('id')!].map(Number).sort(), [1, 2, 3]);
    assert.deepEqual((await table.history()).map((h) => h.operation), ['WRITE', 'CREATE TABLE AS SELECT']);
    // Reading needs no conditional writes: the same table opens without the option.
    assert.equal((await DeltaTable.open(uri, { storage })).version, 1);
  });
});
