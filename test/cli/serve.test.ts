import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { writeDeltaTable } from '../../src/index.js';
import { corpusRoot, repoRoot } from '../support/paths.js';
import { startServeProcess, type ServeProcess } from '../support/serve-process.js';

// `deltalake serve` over plain HTTP: what it serves and, above all, what it refuses.

let dir: string;
let table: string;
let serve: ServeProcess;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dlts-serve-'));
  table = path.join(dir, 'events');
  await cp(path.join(corpusRoot, 'tables/dat-basic_append'), table, { recursive: true });
  await writeFile(path.join(dir, 'secret.txt'), 'outside the table');
  await symlink(path.join(dir, 'secret.txt'), path.join(table, 'escape.txt'));
  serve = await startServeProcess([table, '--port', '0']);
});
after(async () => {
  await serve.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A raw request: the path is sent exactly as given (no client-side normalisation of '..'). */
function raw(method: string, rawPath: string): Promise<{ status: number; body: string; type: string | undefined }> {
  const { hostname, port } = new URL(serve.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: rawPath }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serve listens on 127.0.0.1 by default and prints its URL', () => {
  assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('serve answers the page, the browser build and the table API', async () => {
  assert.equal((await raw('GET', '/')).status, 200);
  const bundle = await raw('HEAD', '/browser/deltalake.js');
  assert.equal(bundle.status, 200);
  assert.match(bundle.type ?? '', /javascript/);
  // The chunks the bundle imports (code shared with its lazily loaded S3 store) are served beside it.
  const imports = [...(await raw('GET', '/browser/deltalake.js')).body.matchAll(/from"\.\/(chunks\/[^"]+\.js)"/g)].map((m) => m[1]!);
  assert.ok(imports.length > 0, 'the bundle imports its chunks');
  for (const c of imports) assert.equal((await raw('HEAD', `/browser/${c}`)).status, 200, c);
  const summary = JSON.parse((await raw('GET', '/api/tables/0/summary')).body) as { version: number; lastOperation: string; schema: Array<{ name: string }> };
  assert.equal(summary.version, 1);
  assert.deepEqual(summary.schema.map((f) => f.name), ['letter', 'number', 'a_float']);
  const history = JSON.parse((await raw('GET', '/api/tables/0/history')).body) as Array<{ version: number }>;
  assert.deepEqual(history.map((h) => h.version), [1, 0]);
  const log = await raw('GET', '/tables/0/_delta_log/00000000000000000000.json');
  assert.equal(log.status, 200);
  assert.match(log.body, /"protocol"/);
});

test('serve never serves a file outside the table root, however the path is spelled', async () => {
  const attempts = [
    '/tables/0/../../secret.txt', '/tables/0/%2e%2e/%2e%2e/secret.txt', '/tables/0/..%2f..%2fsecret.txt', '/tables/0/..%2Fsecret.txt',
    '/tables/0/escape.txt', '/tables/0/%2fetc%2fpasswd', '/tables/0//etc/passwd', '/tables/0/_delta_log/..%5c..%5csecret.txt',
    '/tables/0/', '/tables/0/_delta_log/', '/tables/1/secret.txt', '/app.js/../../package.json', '/browser/../../package.json',
    '/browser/chunks/../../package.json', '/browser/chunks/..%2f..%2f..%2fpackage.json', '/browser/chunks/x.js',
    '/tables/0/%00', '/tables/0/_delta_log/%2e%2e%2f%2e%2e%2f..%2fsecret.txt',
  ];
  for (const p of attempts) {
    const r = await raw('GET', p);
    assert.notEqual(r.status, 200, p);
    assert.ok(!r.body.includes('outside the table') && !r.body.includes('root:'), p);
  }
});

test('serve is read-only without --allow-writes: POST and PUT are refused and the table does not change', async () => {
  const post = await raw('POST', '/api/tables/0/checkpoint');
  assert.equal(post.status, 403);
  assert.match(post.body, /--allow-writes/);
  assert.equal((await raw('PUT', '/tables/0/_delta_log/00000000000000000002.json')).status, 405);
  assert.equal((await raw('DELETE', '/tables/0/_delta_log/00000000000000000000.json')).status, 405);
  const summary = JSON.parse((await raw('GET', '/api/tables/0/summary')).body) as { version: number };
  assert.equal(summary.version, 1);
});

test('serve --allow-writes lets the page checkpoint a table', async () => {
  const copy = path.join(dir, 'writable');
  await cp(table, copy, { recursive: true });
  await rm(path.join(copy, 'escape.txt'));
  const writable = await startServeProcess([copy, '--port', '0', '--allow-writes']);
  try {
    const res = await fetch(new URL('/api/tables/0/checkpoint', writable.url), { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { version: 1 });
  } finally {
    await writable.stop();
  }
});

test('serve sends a server-sent event for a commit made while it runs', async () => {
  const res = await fetch(new URL('/api/events', serve.url));
  const reader = res.body!.getReader();
  await reader.read(); // the ": connected" comment: the stream is open before the commit
  await writeDeltaTable(table, tableFromArrays({ letter: ['z'], number: BigInt64Array.from([9n]), a_float: Float64Array.from([9.5]) }), { mode: 'append' });
  let text = '';
  while (!text.includes('"version":2')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  assert.match(text, /event: commit\ndata: \{"table":0,"version":2\}/);
});

test('serve with a URI that is not a table exits with TABLE_NOT_FOUND', () => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/cli/main.js'), 'serve', path.join(dir, 'nothing'), '--port', '0'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error\[TABLE_NOT_FOUND\]/);
});
