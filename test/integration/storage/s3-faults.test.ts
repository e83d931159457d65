import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DeltaError, DeltaTable, writeDeltaTable, type StorageOptions } from '../../../src/index.js';
import { S3Store } from '../../../src/storage/s3-store.js';
import { parseTableUri } from '../../../src/storage/store-for-url.js';
import { S3Proxy, kindOf } from '../../support/s3-proxy.js';
import { freshS3Uri, s3Options, s3TestOptions } from '../../support/s3.js';
import { idBatch } from '../../support/temp.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const MiB = 1024 * 1024;

// Every test talks to the real RGW through a proxy that counts requests and injects faults.
describe('S3Store through a faulty network (a proxy in front of the real RGW)', s3TestOptions, () => {
  let proxy: S3Proxy;
  let endpoint: string;
  before(async () => {
    proxy = new S3Proxy(s3Options().endpoint!);
    endpoint = await proxy.start();
  });
  after(async () => proxy.stop());
  beforeEach(() => {
    proxy.rule = () => undefined;
    proxy.seen.length = 0;
    proxy.maxInFlight.clear();
  });
  const options = (extra: StorageOptions = {}): StorageOptions => ({ ...s3Options(), endpoint, ...extra });
  const freshStore = (extra: StorageOptions = {}): { store: S3Store; uri: string; prefix: string } => {
    const uri = freshS3Uri();
    const loc = parseTableUri(uri) as { bucket: string; prefix: string };
    return { store: new S3Store(loc.bucket, loc.prefix, options(extra)), uri, prefix: loc.prefix };
  };

  test('throttling (503 SlowDown) is retried with backoff until the request succeeds', async () => {
    const { store } = freshStore();
    await store.put('a.json', enc('hello'));
    proxy.rule = (r, nth) => (r.method === 'GET' && r.url.includes('/a.json') && nth <= 2 ? { kind: 'error', status: 503, code: 'SlowDown' } : undefined);
    assert.equal(new TextDecoder().decode(await store.get('a.json')), 'hello');
    assert.equal(proxy.count('GET', /\/a\.json/), 3);
  });

  test('throttling that never ends fails as a retryable STORAGE_FAILURE after maxAttempts requests', async () => {
    const { store } = freshStore({ maxAttempts: 3 });
    await store.put('a.json', enc('x'));
    proxy.rule = (r) => (r.method === 'GET' ? { kind: 'error', status: 503, code: 'SlowDown' } : undefined);
    await assert.rejects(store.get('a.json'), (e: unknown) => {
      assert.ok(e instanceof DeltaError);
      assert.equal(e.code, 'STORAGE_FAILURE');
      assert.equal(e.retryable, true);
      assert.match(e.message, /SlowDown/);
      assert.match(e.hint ?? '', /transient/);
      return true;
    });
    assert.equal(proxy.count('GET', /\/a\.json/), 3);
  });

  test('a connection reset before the answer is retried (transient network error)', async () => {
    const { store } = freshStore();
    proxy.rule = (r, nth) => (r.method === 'PUT' && nth === 1 ? { kind: 'reset' } : undefined);
    await store.put('part.parquet', new Uint8Array(1000).fill(7));
    assert.equal((await store.head('part.parquet'))?.sizeBytes, 1000);
    assert.equal(proxy.count('PUT', /\/part\.parquet/), 2);
  });

  test('a stalled server fails the attempt after requestTimeoutMs; the retry succeeds, and endless stalls fail', async () => {
    const { store } = freshStore({ requestTimeoutMs: 500, maxAttempts: 2 });
    await store.put('s.json', enc('slow'));
    proxy.rule = (r, nth) => (r.method === 'GET' && nth === 1 ? { kind: 'stall' } : undefined);
    assert.equal(new TextDecoder().decode(await store.get('s.json')), 'slow');
    assert.equal(proxy.count('GET', /\/s\.json/), 2);
    proxy.rule = (r) => (r.method === 'GET' ? { kind: 'stall' } : undefined);
    const t0 = Date.now();
    await assert.rejects(store.get('s.json'), (e: unknown) => e instanceof DeltaError && e.code === 'STORAGE_FAILURE' && e.retryable);
    assert.ok(Date.now() - t0 < 20_000, 'gave up after the timeouts, not the 60 s default');
  });

  test('the conditional-put probe runs once per endpoint and bucket, before the first commit there', async () => {
    const bucket = `probe-${Date.now()}`;
    const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
    const o = s3Options();
    const admin = new S3Client({ endpoint: o.endpoint!, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: o.accessKeyId!, secretAccessKey: o.secretAccessKey! } });
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    admin.destroy();
    const probes = (): number => proxy.seen.filter((r) => r.conditional && r.url.includes('.conditional-put-probe-')).length;
    for (const prefix of ['a', 'b', 'c']) {
      const store = new S3Store(bucket, prefix, options());
      assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', enc(prefix)), 'created');
    }
    assert.equal(probes(), 2, 'one probe: a first and a refused second conditional put');
    assert.ok(proxy.seen.findIndex((r) => r.url.includes('.conditional-put-probe-')) < proxy.seen.findIndex((r) => r.url.includes('/a/_delta_log/00000000000000000000.json')));
    assert.equal(proxy.seen.find((r) => r.conditional && r.url.includes('.conditional-put-probe-') && r.status === 412) !== undefined, true);
  });

  test('409 on a conditional put is retried with the same put; 412 then means exists', async () => {
    const { store } = freshStore();
    const key = '_delta_log/00000000000000000000.json';
    proxy.rule = (r, nth) => (r.conditional && r.url.includes(key) && nth <= 2 ? { kind: 'error', status: 409, code: 'ConditionalRequestConflict' } : undefined);
    assert.equal(await store.putIfAbsent(key, enc('first')), 'created');
    assert.equal(proxy.seen.filter((r) => r.conditional && r.url.includes(key)).length, 3);
    assert.equal(await store.putIfAbsent(key, enc('second')), 'exists');
    assert.equal(new TextDecoder().decode(await store.get(key)), 'first');
  });

  test('a commit is one conditional PutObject, never multipart, even at 20 MiB; data above 16 MiB goes up in parallel parts', async () => {
    const { store } = freshStore();
    const big = new Uint8Array(20 * MiB).fill(1);
    assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', big), 'created');
    assert.equal(proxy.seen.filter((r) => kindOf(r) === 'CreateMultipartUpload').length, 0);
    assert.equal(proxy.seen.filter((r) => r.conditional && r.url.includes('00000000000000000000.json')).length, 1);
    const single = freshStore({ unsafeSingleWriter: true }).store;
    assert.equal(await single.putIfAbsent('_delta_log/00000000000000000000.json', big), 'created');
    assert.equal(proxy.seen.filter((r) => kindOf(r) === 'CreateMultipartUpload').length, 0, 'single-writer commits are single puts too');

    const data = new Uint8Array(40 * MiB + 5);
    for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff;
    await store.put('part-0.parquet', data);
    const kinds = proxy.seen.map(kindOf);
    assert.equal(kinds.filter((k) => k === 'UploadPart').length, 6); // 8 MiB parts
    assert.equal(kinds.filter((k) => k === 'CompleteMultipartUpload').length, 1);
    const inFlight = proxy.maxInFlight.get('UploadPart') ?? 0;
    assert.ok(inFlight >= 2 && inFlight <= 4, `parts in flight ${inFlight}: parallel, and bounded by 4`);
    assert.ok(Buffer.from(await store.get('part-0.parquet')).equals(Buffer.from(data)));
  });

  test('listing pages past 1000 keys with ContinuationToken, and StartAfter skips into a later page', async () => {
    const { store } = freshStore();
    const keys = Array.from({ length: 1205 }, (_, i) => `l/${String(i).padStart(5, '0')}.bin`);
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < keys.length) await store.put(keys[next++]!, new Uint8Array([1]));
    }));
    proxy.seen.length = 0;
    const all: string[] = [];
    for await (const m of store.list('l/')) all.push(m.path);
    assert.deepEqual(all, keys);
    assert.equal(proxy.seen.filter((r) => kindOf(r) === 'ListObjectsV2').length, 2, 'two pages of at most 1000');
    const after99: string[] = [];
    for await (const m of store.list('l/', { startAfter: 'l/00099.bin' })) after99.push(m.path);
    assert.deepEqual(after99, keys.slice(100));
    const after1100: string[] = [];
    for await (const m of store.list('l/', { startAfter: 'l/01100.bin' })) after1100.push(m.path);
    assert.deepEqual(after1100, keys.slice(1101));
  });

  test('vacuum deletes with DeleteObjects, 1000 keys per request, never one DeleteObject per file', async () => {
    const { store, uri } = freshStore();
    const storage = options();
    await writeDeltaTable(uri, idBatch([1]), { storage });
    const junk = Array.from({ length: 1205 }, (_, i) => `junk/f-${i}.parquet`);
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < junk.length) await store.put(junk[next++]!, new Uint8Array([1]));
    }));
    proxy.seen.length = 0;
    const table = await DeltaTable.open(uri, { storage });
    const report = await table.vacuum({ retentionHours: 0, enforceRetention: false, dryRun: false });
    assert.deepEqual([...report.files].sort(), [...junk].sort());
    const kinds = proxy.seen.map(kindOf);
    assert.equal(kinds.filter((k) => k === 'DeleteObjects').length, 2);
    assert.equal(kinds.filter((k) => k === 'DELETE').length, 0);
    const left: string[] = [];
    for await (const m of store.list('junk/')) left.push(m.path);
    assert.deepEqual(left, []);
    assert.deepEqual([...(await (await DeltaTable.open(uri, { storage })).toArrow()).getChild('id')!].map(Number), [1]);
  });
});
