import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeltaError } from '../../../src/errors.js';
import { clientConfig, clientFor } from '../../../src/storage/s3-client.js';
import { S3Store } from '../../../src/storage/s3-store.js';
import { parseTableUri } from '../../../src/storage/store-for-url.js';
import { runObjectStoreContract } from '../../support/object-store-contract.js';
import { repoRoot } from '../../support/paths.js';
import { freshS3Uri, s3Bucket, s3Options, s3TestOptions } from '../../support/s3.js';

const freshStore = (): S3Store => {
  const loc = parseTableUri(freshS3Uri());
  if (loc.kind !== 's3') throw new Error('not s3');
  return new S3Store(loc.bucket, loc.prefix, s3Options());
};

if (s3TestOptions.skip) {
  test('ObjectStore contract: S3Store (Ceph RGW)', { skip: s3TestOptions.skip }, () => {});
} else {
  runObjectStoreContract('S3Store (Ceph RGW)', async () => freshStore());
}

describe('S3Store specifics', () => {
  test('race: 32 clients x 30 rounds put-if-absent one key; exactly one wins each round and the stored body is the winner\'s', s3TestOptions, async () => {
    const o = s3Options();
    const prefix = parseTableUri(freshS3Uri()) as { prefix: string };
    // Separate clients (separate connection pools), as separate processes would have.
    const stores = Array.from({ length: 32 }, () => new S3Store(s3Bucket, prefix.prefix, o, clientFor(clientConfig(o), false)));
    const rounds = 30;
    let losers = 0;
    for (let r = 0; r < rounds; r++) {
      const key = `_delta_log/${String(r).padStart(20, '0')}.json`;
      const outcomes = await Promise.all(stores.map((s, i) => s.putIfAbsent(key, new TextEncoder().encode(`{"writer":${i}}`))));
      const winners = outcomes.flatMap((o, i) => (o === 'created' ? [i] : []));
      assert.equal(winners.length, 1, `round ${r}: winners ${JSON.stringify(winners)}`);
      losers += outcomes.filter((x) => x === 'exists').length;
      assert.equal(new TextDecoder().decode(await stores[0]!.get(key)), `{"writer":${winners[0]}}`);
    }
    assert.equal(losers, rounds * 31);
    console.log(`S3 race: ${rounds} rounds x 32 writers, exactly one winner every round, ${losers} losers saw 'exists'`);
  });

  test('a large object goes up in parts and reads back exactly, also by range across a part boundary', s3TestOptions, async () => {
    const store = freshStore();
    const bytes = new Uint8Array(20 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 11)) & 0xff;
    await store.put('big.parquet', bytes);
    assert.equal((await store.head('big.parquet'))?.sizeBytes, bytes.length);
    assert.ok(Buffer.from(await store.get('big.parquet')).equals(Buffer.from(bytes)));
    const boundary = 8 * 1024 * 1024;
    assert.ok(Buffer.from(await store.getRange('big.parquet', boundary - 10, boundary + 10)).equals(Buffer.from(bytes.subarray(boundary - 10, boundary + 10))));
  });

  test('errors: a missing key is FILE_NOT_FOUND naming s3://bucket/key; a wrong secret is STORAGE_FAILURE with a credentials hint, without the secret', s3TestOptions, async () => {
    const store = freshStore();
    await assert.rejects(store.get('nope.json'), (e: unknown) => e instanceof DeltaError && e.code === 'FILE_NOT_FOUND' && e.message.includes(`s3://${s3Bucket}/`) && e.message.includes('nope.json'));
    const loc = parseTableUri(freshS3Uri()) as { bucket: string; prefix: string };
    const bad = new S3Store(loc.bucket, loc.prefix, { ...s3Options(), secretAccessKey: 'wrong-secret-value' });
    await assert.rejects(bad.put('x', new Uint8Array(1)), (e: unknown) => {
      assert.ok(e instanceof DeltaError);
      assert.equal(e.code, 'STORAGE_FAILURE');
      assert.match(e.hint ?? '', /credentials/);
      // Nowhere in the error: not the message or hint, nor the wrapped SDK error and its response.
      for (const text of [e.message, e.hint ?? '', inspect(e, { depth: Infinity, showHidden: true }), JSON.stringify(e)]) {
        assert.ok(!text.includes('wrong-secret-value'), text.slice(0, 200));
      }
      return true;
    });
    // The CLI prints errors for s3:// tables without the secret either.
    const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/cli/main.js'), 'describe', freshS3Uri()], {
      encoding: 'utf8',
      env: { ...process.env, AWS_ENDPOINT_URL: s3Options().endpoint!, AWS_ACCESS_KEY_ID: s3Options().accessKeyId!, AWS_SECRET_ACCESS_KEY: 'wrong-secret-value' },
    });
    assert.equal(cli.status, 1, cli.stderr);
    assert.match(cli.stderr, /error\[STORAGE_FAILURE\]/);
    assert.ok(!`${cli.stdout}${cli.stderr}`.includes('wrong-secret-value'));
    const noBucket = new S3Store('no-such-bucket-dlts', 'x', s3Options());
    await assert.rejects(noBucket.put('x', new Uint8Array(1)), (e: unknown) => e instanceof DeltaError && e.code === 'STORAGE_FAILURE' && /NoSuchBucket/.test(e.message) && /create the bucket/.test(e.hint ?? ''));
  });

  test('deleteMany removes objects in batches and ignores missing ones', s3TestOptions, async () => {
    const store = freshStore();
    const paths = Array.from({ length: 1205 }, (_, i) => `d/${i}.bin`);
    // Puts in waves of 100: 1,205 at once queue behind the SDK's socket pool, and a queued request's
    // 5 s connection timeout can expire on a loaded machine (seen with load average 22).
    for (let i = 0; i < paths.length; i += 100) await Promise.all(paths.slice(i, i + 100).map((p) => store.put(p, new Uint8Array([1]))));
    await store.deleteMany([...paths, 'd/missing.bin']);
    const left: string[] = [];
    for await (const m of store.list('d/')) left.push(m.path);
    assert.deepEqual(left, []);
  });

  test('the table root is the prefix: listing never leaks sibling tables', s3TestOptions, async () => {
    const loc = parseTableUri(freshS3Uri('a')) as { bucket: string; prefix: string };
    const a = new S3Store(loc.bucket, loc.prefix, s3Options());
    const ab = new S3Store(loc.bucket, `${loc.prefix}b`, s3Options());
    await a.put('_delta_log/0.json', new Uint8Array(1));
    await ab.put('_delta_log/0.json', new Uint8Array(2));
    const seen: string[] = [];
    for await (const m of a.list('')) seen.push(m.path);
    assert.deepEqual(seen, ['_delta_log/0.json']);
    assert.equal(a.rootUri, `s3://${loc.bucket}/${loc.prefix}`);
  });

  test('unsafeSingleWriter commits without conditional requests, still refusing an existing key', s3TestOptions, async () => {
    const loc = parseTableUri(freshS3Uri()) as { bucket: string; prefix: string };
    const store = new S3Store(loc.bucket, loc.prefix, { ...s3Options(), unsafeSingleWriter: true });
    assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', new TextEncoder().encode('a')), 'created');
    assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', new TextEncoder().encode('b')), 'exists');
    // The raw SDK sees exactly what we stored.
    const client = new S3Client({ endpoint: s3Options().endpoint!, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3Options().accessKeyId!, secretAccessKey: s3Options().secretAccessKey! } });
    await assert.rejects(client.send(new PutObjectCommand({ Bucket: loc.bucket, Key: `${loc.prefix}/_delta_log/00000000000000000000.json`, Body: Buffer.from('c'), IfNoneMatch: '*' })), (e: unknown) => (e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode === 412);
    client.destroy();
  });
});
