import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { tableFromArrays } from 'apache-arrow';
import type { Browser, Page } from 'playwright-core';
import { DeltaTable, writeDeltaTable, type StorageOptions } from '../../src/index.js';
import { startStaticServer, type StaticServer } from '../support/http-table-server.js';
import { repoRoot } from '../support/paths.js';
import { s3Bucket, s3Options, s3TestOptions } from '../support/s3.js';
import { CANONICAL_ROWS_SOURCE, canonicalRows } from './canonical-rows.js';
import { launchChromium } from './chromium.js';

// The browser build on s3:// tables of the test S3 server (Ceph RGW), from a page on another
// origin: the bucket carries the CORS rule that spec/storage.md tells users to set.

// The one DOM name the functions run in the page use (this project compiles without lib "dom").
declare const Worker: new (url: string, opts: { type: 'module' }) => {
  onmessage: ((m: { data: unknown }) => void) | null;
  onerror: ((e: { message: string }) => void) | null;
  postMessage(data: unknown): void;
  terminate(): void;
};

/** What a page-side call gave: a value, or the DeltaError's fields. */
type Outcome<T> = { ok: T } | { error: { name: string; code: string; message: string; hint: string | undefined } };

let browser: Browser | undefined;
let page: Page;
let server: StaticServer;
let scratch: string;
let skipReason: string | undefined;
let corsBucket: string;
let storage: StorageOptions;

before(async () => {
  if (s3TestOptions.skip) return;
  storage = s3Options();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'dlts-browser-s3-'));
  await mkdir(path.join(scratch, 'page'));
  await writeFile(path.join(scratch, 'page', 'index.html'), '<!doctype html><title>deltalake-ts browser S3 test</title>');
  server = await startStaticServer({ '/dist/': path.join(repoRoot, 'dist/browser'), '/scratch/': scratch });
  // A bucket of its own, so the CORS rule is this test's and the shared test bucket has none.
  corsBucket = `browser-cors-${randomUUID().slice(0, 8)}`;
  const admin = new S3Client({
    endpoint: storage.endpoint!, region: storage.region!, forcePathStyle: true,
    credentials: { accessKeyId: storage.accessKeyId!, secretAccessKey: storage.secretAccessKey! },
  });
  await admin.send(new CreateBucketCommand({ Bucket: corsBucket }));
  await admin.send(new PutBucketCorsCommand({
    Bucket: corsBucket,
    CORSConfiguration: {
      CORSRules: [{
        AllowedOrigins: [server.url],
        AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
        AllowedHeaders: ['*'],
        ExposeHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Last-Modified'],
        MaxAgeSeconds: 3600,
      }],
    },
  }));
  admin.destroy();
  browser = await launchChromium({ skip: (why) => { skipReason = why; } });
  if (!browser) return;
  page = await browser.newPage();
  await page.goto(`${server.url}/scratch/page/index.html`);
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs `body` (the source of an async function of (lib, arg)) in the page with the browser build. */
function inPage<T>(body: string, arg: unknown): Promise<Outcome<T>> {
  return page.evaluate(async ({ bundle, body, arg, canonical }) => {
    const lib = await import(bundle);
    const rowsOf = new Function(canonical)();
    try {
      return { ok: await new Function('lib', 'arg', 'rowsOf', `return (async () => { ${body} })()`)(lib, arg, rowsOf) };
    } catch (err) {
      const e = err as { name?: unknown; code?: unknown; message?: unknown; hint?: unknown };
      return { error: { name: String(e.name), code: String(e.code), message: String(e.message), hint: e.hint === undefined ? undefined : String(e.hint) } };
    }
  }, { bundle: `${server.url}/dist/deltalake.js`, body, arg, canonical: CANONICAL_ROWS_SOURCE }) as Promise<Outcome<T>>;
}

function ok<T>(o: Outcome<T>): T {
  if ('error' in o) assert.fail(`the page failed: ${JSON.stringify(o.error)}`);
  return o.ok;
}

/** A table Node writes to the CORS bucket: two commits, a partition column, strings, longs, doubles, nulls. */
async function nodeTable(): Promise<string> {
  const uri = `s3://${corsBucket}/tables/${randomUUID()}/events`;
  await writeDeltaTable(uri, tableFromArrays({
    id: BigInt64Array.from([1n, 2n, 3n]), country: ['BR', 'US', 'BR'], amount: Float64Array.from([1.5, -2, 1e10]),
  }), { mode: 'append', partitionBy: ['country'], storage });
  await writeDeltaTable(uri, tableFromArrays({
    id: BigInt64Array.from([4n, 5n]), country: ['US', 'DE'], amount: [null, 0.25],
  }), { mode: 'append', storage });
  return uri;
}

test('in Chromium, the browser build reads an s3:// table Node wrote, with the rows Node reads, and fetches the S3 chunk only then', { ...s3TestOptions }, async (t) => {
  if (!browser) return t.skip(skipReason);
  const uri = await nodeTable();
  const node = await DeltaTable.open(uri, { storage });
  const expected = { version: node.version, rows: canonicalRows(await node.toArrow()), v0: canonicalRows(await (await DeltaTable.open(uri, { storage, version: 0 })).toArrow()) };
  assert.equal(expected.version, 1);
  const from = server.requests.length;
  ok(await inPage('return true', undefined)); // the bundle alone
  assert.deepEqual(server.requests.slice(from).filter((r) => r.path.includes('/chunks/s3-store')), [], 'opening no s3:// table loads no S3 code');
  const got = ok(await inPage<typeof expected>(`
    const t = await lib.DeltaTable.open(arg.uri, { storage: arg.storage });
    const v0 = await lib.DeltaTable.open(arg.uri, { storage: arg.storage, version: 0 });
    return { version: t.version, rows: rowsOf(await t.toArrow()), v0: rowsOf(await v0.toArrow()) };
  `, { uri, storage }));
  assert.deepEqual(got, expected);
  assert.equal(server.requests.slice(from).filter((r) => r.path.includes('/chunks/s3-store')).length, 1, 'the S3 store chunk is fetched once, when needed');
});

test('in Chromium, the browser build appends a commit to an s3:// table (a conditional put) and Node reads it at the new version', { ...s3TestOptions }, async (t) => {
  if (!browser) return t.skip(skipReason);
  const uri = await nodeTable();
  const before = await DeltaTable.open(uri, { storage });
  const added = ok(await inPage<{ version: number; rows: string[] }>(`
    const t = await lib.DeltaTable.open(arg.uri, { storage: arg.storage });
    const rows = await t.toArrow({ filter: [['country', '=', 'BR']] });
    const result = await lib.writeDeltaTable(arg.uri, rows, { mode: 'append', storage: arg.storage });
    return { version: result.version, rows: rowsOf(rows) };
  `, { uri, storage }));
  assert.equal(added.version, before.version + 1);
  const after = await DeltaTable.open(uri, { storage });
  assert.equal(after.version, before.version + 1);
  assert.deepEqual(canonicalRows(await after.toArrow()), [...canonicalRows(await before.toArrow()), ...added.rows].sort());
  assert.equal(added.rows.length, 2);
  const [last] = await after.history({ limit: 1 });
  assert.equal(last!.operation, 'WRITE');
  // A second writer at the same version loses the race and lands after it: the condition holds in the browser too.
  const stale = ok(await inPage<number[]>(`
    const rows = await (await lib.DeltaTable.open(arg.uri, { storage: arg.storage })).toArrow({ filter: [['id', '=', 5n]] });
    const a = lib.writeDeltaTable(arg.uri, rows, { mode: 'append', storage: arg.storage });
    const b = lib.writeDeltaTable(arg.uri, rows, { mode: 'append', storage: arg.storage });
    return (await Promise.all([a, b])).map((r) => r.version).sort();
  `, { uri, storage }));
  assert.deepEqual(stale, [after.version + 1, after.version + 2]);
  assert.equal((await DeltaTable.open(uri, { storage })).version, after.version + 2);
});

// RGW sends no CORS headers with its 403 for a bad signature, so the page cannot read S3's error
// code: the store tells a credential failure from a missing CORS rule with one unsigned request.
test('in Chromium, a wrong secret key is a STORAGE_FAILURE DeltaError about credentials, not a raw SDK error', { ...s3TestOptions }, async (t) => {
  if (!browser) return t.skip(skipReason);
  const uri = await nodeTable();
  const got = await inPage(`await lib.DeltaTable.open(arg.uri, { storage: arg.storage }); return 'opened';`, { uri, storage: { ...storage, secretAccessKey: 'not-the-secret' } });
  assert.ok('error' in got, 'the open must fail');
  assert.equal(got.error.name, 'DeltaError');
  assert.equal(got.error.code, 'STORAGE_FAILURE');
  assert.match(got.error.message, new RegExp(`^get s3://${corsBucket}/tables/.*/_delta_log/_last_checkpoint failed: the browser could not read S3's answer .*the bucket's CORS rules do admit this page`));
  assert.match(got.error.hint ?? '', /^check the credentials \(storage\.accessKeyId\/secretAccessKey\/sessionToken\)/);
  assert.doesNotMatch(JSON.stringify(got.error), /not-the-secret/);
});

test('in Chromium, an s3:// table without credentials is INVALID_ARGUMENT saying to pass them (a page has no credential chain)', { ...s3TestOptions }, async (t) => {
  if (!browser) return t.skip(skipReason);
  const got = await inPage(`await lib.DeltaTable.open(arg.uri, { storage: { endpoint: arg.endpoint } }); return 'opened';`, { uri: `s3://${corsBucket}/nothing`, endpoint: storage.endpoint });
  assert.ok('error' in got, 'the open must fail');
  assert.equal(got.error.code, 'INVALID_ARGUMENT');
  assert.match(got.error.message, /need credentials in the storage options/);
  assert.match(got.error.hint ?? '', /accessKeyId, secretAccessKey/);
});

test('in Chromium, a bucket without a CORS rule for the page is a STORAGE_FAILURE whose hint names CORS', { ...s3TestOptions }, async (t) => {
  if (!browser) return t.skip(skipReason);
  const uri = `s3://${s3Bucket}/tests/${randomUUID()}/events`;
  await writeDeltaTable(uri, tableFromArrays({ id: Int32Array.from([1]) }), { storage });
  const got = await inPage(`await lib.DeltaTable.open(arg.uri, { storage: arg.storage }); return 'opened';`, { uri, storage: { ...storage, maxAttempts: 1 } });
  assert.ok('error' in got, 'the open must fail');
  assert.equal(got.error.name, 'DeltaError');
  assert.equal(got.error.code, 'STORAGE_FAILURE');
  assert.match(got.error.message, new RegExp(`an unsigned request to ${storage.endpoint}/${s3Bucket}/ was blocked too`));
  assert.equal(got.error.hint, `give the bucket a CORS rule that admits this page (AllowedOrigins ${server.url}) with AllowedMethods GET, HEAD, PUT, POST, DELETE, AllowedHeaders *, ExposeHeaders ETag (spec/storage.md gives the rule), and check that the endpoint is reachable from the page`);
});

test('in Chromium, a data file above the multipart threshold is uploaded in parts (the CORS rule exposes ETag) and Node reads it', { ...s3TestOptions }, async (t) => {
  if (!browser) return t.skip(skipReason);
  const uri = `s3://${corsBucket}/tables/${randomUUID()}/big`;
  // Random doubles do not compress: one data file of ~24 MiB, above MULTIPART_THRESHOLD (16 MiB).
  const n = 3_000_000;
  const written = Float64Array.from({ length: n }, () => Math.random());
  await writeDeltaTable(uri, tableFromArrays({ x: written }), { storage });
  const got = ok(await inPage<{ version: number; sizes: number[]; again: number[] }>(`
    const rows = await (await lib.DeltaTable.open(arg.uri, { storage: arg.storage })).toArrow();
    const { version } = await lib.writeDeltaTable(arg.uri, rows, { mode: 'append', storage: arg.storage });
    const t = await lib.DeltaTable.open(arg.uri, { storage: arg.storage });
    // Read again: ranges the first read fetched must not come from (or be rewritten by) the
    // browser's HTTP cache, which would break their signatures.
    const again = [(await t.toArrow()).numRows, (await t.toArrow()).numRows];
    return { version, sizes: (await t.files()).map((f) => f.size), again };
  `, { uri, storage }));
  assert.deepEqual(got.again, [2 * n, 2 * n]);
  assert.equal(got.version, 1);
  assert.ok(got.sizes.every((s) => s > 16 * 1024 * 1024), `file sizes ${got.sizes.join(', ')}`);
  const after = await DeltaTable.open(uri, { storage });
  const x = Float64Array.from((await after.toArrow()).getChild('x')!.toArray() as Float64Array).sort();
  written.sort();
  assert.equal(x.length, 2 * n);
  const firstDiff = written.findIndex((v, i) => x[2 * i] !== v || x[2 * i + 1] !== v);
  assert.equal(firstDiff, -1, 'every written value is there twice');
});

// The SDK's browser build would parse S3's XML with DOMParser, which workers lack; the build uses
// the SDK's plain-JS parser instead (scripts/build-browser.mjs), so listing works there too.
test('in a Web Worker in Chromium, the browser build reads an s3:// table (a log listing included) and appends to it', { ...s3TestOptions }, async (t) => {
  if (!browser) return t.skip(skipReason);
  const uri = await nodeTable();
  const node = await DeltaTable.open(uri, { storage });
  const got = await page.evaluate(async ({ bundle, uri, storage, canonical }) => {
    const src = `
      const rowsOf = new Function(${JSON.stringify(canonical)})();
      onmessage = async () => {
        try {
          const lib = await import(${JSON.stringify(bundle)});
          const storage = ${JSON.stringify(storage)};
          const t = await lib.DeltaTable.open(${JSON.stringify(uri)}, { storage });
          const rows = await t.toArrow();
          const { version } = await lib.writeDeltaTable(${JSON.stringify(uri)}, await t.toArrow({ filter: [['id', '=', 1n]] }), { mode: 'append', storage });
          postMessage({ version: t.version, rows: rowsOf(rows), appended: version });
        } catch (err) {
          postMessage({ error: String(err && err.code) + ' ' + String(err && err.message) });
        }
      };`;
    const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
    try {
      return await new Promise<unknown>((resolve, reject) => {
        worker.onmessage = (m: { data: unknown }) => resolve(m.data);
        worker.onerror = (e: { message: string }) => reject(new Error(e.message));
        worker.postMessage('go');
      });
    } finally {
      worker.terminate();
    }
  }, { bundle: `${server.url}/dist/deltalake.js`, uri, storage, canonical: CANONICAL_ROWS_SOURCE });
  assert.deepEqual(got, { version: node.version, rows: canonicalRows(await node.toArrow()), appended: node.version + 1 });
  const after = await DeltaTable.open(uri, { storage });
  assert.equal(after.version, node.version + 1);
  assert.equal((await after.toArrow()).numRows, (await node.toArrow()).numRows + 1);
});
