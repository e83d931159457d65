import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tableFromArrays, type DataType } from 'apache-arrow';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { canonicalKey, canonicalRows } from '../support/canonical.js';
import { startStaticServer, type StaticServer } from '../support/http-table-server.js';
import { corpusRoot } from '../support/paths.js';

interface Item { kind: string; version?: number; columns?: string[]; startVersion?: number; endVersion?: number }
interface Entry { name: string; path: string; expected: { items: Item[] } }
const manifest = JSON.parse(await readFile(path.join(corpusRoot, 'MANIFEST.json'), 'utf8')) as { tables: Entry[] };

let server: StaticServer;
let scratch: string;
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'dlts-http-'));
  server = await startStaticServer({ '/corpus/': corpusRoot, '/scratch/': scratch });
});
after(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Rows as a sorted multiset of canonical keys, so file order never matters. */
async function rowsOf(table: DeltaTable, columns?: string[]): Promise<string[]> {
  const result = await table.toArrow(columns ? { columns } : {});
  const fields = result.schema.fields.map((f) => ({ name: f.name, type: f.type as DataType }));
  return canonicalRows(result).map((r) => canonicalKey(r, fields)).sort();
}

/** The outcome of opening and reading, as rows or as the error code. */
async function outcome(uri: string, version: number | undefined, columns?: string[]): Promise<{ version: number; rows: string[] } | { code: string }> {
  try {
    const table = await DeltaTable.open(uri, version === undefined ? {} : { version });
    return { version: table.version, rows: await rowsOf(table, columns) };
  } catch (err) {
    if (err instanceof DeltaError) return { code: err.code };
    throw err;
  }
}

// Without a listing, a gap in the log looks like its end: these tables' latest version cannot be
// told from a truncated log, so over HTTP they must fail (some DeltaError), not match the directory.
const LOG_GAP = new Set(['versions-not-contiguous']);

for (const entry of manifest.tables) {
  test(`over HTTP without listing, ${entry.name} reads the same as from its directory`, async () => {
    const local = path.join(corpusRoot, entry.path);
    const http = `${server.url}/corpus/${entry.path}`;
    if (LOG_GAP.has(entry.name)) {
      assert.equal('code' in await outcome(local, undefined) ? 'error' : 'rows', 'error');
      assert.ok('code' in await outcome(http, undefined));
      return;
    }
    const versions = new Set<number | undefined>([undefined]);
    for (const item of entry.expected.items) if (item.kind === 'snapshot' || item.kind === 'error') versions.add(item.version);
    for (const v of versions) assert.deepEqual(await outcome(http, v), await outcome(local, v), `version ${v ?? 'latest'}`);
    for (const item of entry.expected.items) {
      if (item.kind === 'snapshot' && item.columns) {
        assert.deepEqual(await outcome(http, item.version, item.columns), await outcome(local, item.version, item.columns));
      }
      if (item.kind === 'activeFiles') {
        const files = async (uri: string): Promise<string[]> => (await (await DeltaTable.open(uri, item.version === undefined ? {} : { version: item.version })).files()).map((f) => f.path).sort();
        assert.deepEqual(await files(http), await files(local));
      }
      if (item.kind === 'cdf') {
        const changes = async (uri: string): Promise<string[]> => {
          const t = await (await DeltaTable.open(uri)).changes({ startingVersion: item.startVersion!, endingVersion: item.endVersion! });
          // _commit_timestamp is the commit file's time in a directory, but commitInfo.timestamp over
          // HTTP (which has no exact file times): the corpus' file times are only checkout times.
          const fields = t.schema.fields.filter((f) => f.name !== '_commit_timestamp').map((f) => ({ name: f.name, type: f.type as DataType }));
          return canonicalRows(t).map((r) => canonicalKey(r, fields)).sort();
        };
        assert.deepEqual(await changes(http), await changes(local));
      }
    }
  });
}

test('reading over HTTP never asks for a directory (static hosts have no listing)', async () => {
  const from = server.requests.length;
  await (await DeltaTable.open(`${server.url}/corpus/tables/basic-with-inserts-deletes-checkpoint`)).toArrow();
  const asked = server.requests.slice(from);
  assert.ok(asked.length > 0);
  assert.deepEqual(asked.filter((r) => r.path.endsWith('/')), []);
});

/** A local table with `commits` appends of one row each, readable over the server. */
async function scratchTable(name: string, commits: number): Promise<{ local: string; http: string }> {
  const local = path.join(scratch, name);
  for (let i = 0; i < commits; i++) {
    await writeDeltaTable(local, tableFromArrays({ id: Int32Array.from([i]) }), { mode: 'append' });
  }
  return { local, http: `${server.url}/scratch/${name}` };
}

test('over HTTP the latest version is found by probing past the checkpoint, and history matches the directory', async () => {
  const { local, http } = await scratchTable('probe', 14);
  await (await DeltaTable.open(local)).checkpoint(); // at version 13
  await writeDeltaTable(local, tableFromArrays({ id: Int32Array.from([14]) }), { mode: 'append' });
  const table = await DeltaTable.open(http);
  assert.equal(table.version, 14);
  assert.deepEqual(await rowsOf(table), await rowsOf(await DeltaTable.open(local)));
  const history = async (uri: string) => (await (await DeltaTable.open(uri)).history()).map((h) => [h.version, h.operation]);
  assert.deepEqual(await history(http), await history(local));
  assert.equal((await DeltaTable.open(http, { version: 3 })).version, 3);
  assert.deepEqual(await rowsOf(await DeltaTable.open(http, { version: 3 })), ['{"id":0}', '{"id":1}', '{"id":2}', '{"id":3}'].sort());
});

test('over HTTP time travel by timestamp uses each commit\'s commitInfo timestamp', async () => {
  const { local, http } = await scratchTable('timestamps', 4);
  const history = await (await DeltaTable.open(local)).history();
  for (const h of history) {
    const at = new Date(h.timestamp);
    assert.equal((await DeltaTable.open(http, { timestamp: at })).version, h.version);
  }
});

test('over HTTP a table whose early commits were cleaned up opens from its checkpoint', async () => {
  const { local, http } = await scratchTable('cleaned', 8);
  await (await DeltaTable.open(local)).checkpoint(); // at version 7
  for (let v = 0; v < 5; v++) await rm(path.join(local, '_delta_log', `${String(v).padStart(20, '0')}.json`));
  await writeDeltaTable(local, tableFromArrays({ id: Int32Array.from([8]) }), { mode: 'append' });
  const table = await DeltaTable.open(http);
  assert.equal(table.version, 8);
  assert.deepEqual(await rowsOf(table), await rowsOf(await DeltaTable.open(local)));
  assert.deepEqual((await table.history()).map((h) => h.version).sort((a, b) => a - b), [5, 6, 7, 8]);
});

test('a column read over HTTP fetches the footer and that column\'s chunks, not the whole file', async () => {
  const n = 500_000; // above the size from which files are read by ranges
  const wide = tableFromArrays({
    id: Int32Array.from({ length: n }, (_, i) => i),
    a: Float64Array.from({ length: n }, (_, i) => Math.sin(i)),
    b: Float64Array.from({ length: n }, (_, i) => Math.cos(i)),
  });
  const local = path.join(scratch, 'wide');
  await writeDeltaTable(local, wide, { mode: 'append' });
  const table = await DeltaTable.open(`${server.url}/scratch/wide`);
  const [file] = await table.files();
  const from = server.requests.length;
  const result = await table.toArrow({ columns: ['id'] });
  assert.equal(result.numRows, n);
  const served = server.requests.slice(from).filter((r) => r.path.endsWith('.parquet')).reduce((s, r) => s + r.bytes, 0);
  assert.ok(served < file!.size * 0.6, `served ${served} of ${file!.size} bytes for one of three columns`);
});

test('writing to an http(s):// table is refused with UNSUPPORTED_FEATURE', async () => {
  await assert.rejects(
    writeDeltaTable(`${server.url}/corpus/tables/dat-basic_append`, tableFromArrays({ letter: ['x'] }), { mode: 'append' }),
    (e: unknown) => e instanceof DeltaError && e.code === 'UNSUPPORTED_FEATURE' && /read-only/.test(e.message) && e.hint !== undefined,
  );
});

test('an HTTP URL with no table gives TABLE_NOT_FOUND', async () => {
  await assert.rejects(DeltaTable.open(`${server.url}/corpus/no-such-table`), (e: unknown) => e instanceof DeltaError && e.code === 'TABLE_NOT_FOUND');
});

test('an HTTP 403 gives STORAGE_FAILURE with a hint about access', async () => {
  const refusing = createServer((_req, res) => res.writeHead(403, 'Forbidden').end());
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  try {
    const port = (refusing.address() as AddressInfo).port;
    await assert.rejects(DeltaTable.open(`http://127.0.0.1:${port}/t`), (e: unknown) =>
      e instanceof DeltaError && e.code === 'STORAGE_FAILURE' && /HTTP 403/.test(e.message) && /httpHeaders/.test(e.hint ?? ''));
  } finally {
    refusing.close();
  }
});

test('an unreachable HTTP server gives STORAGE_FAILURE with a hint naming CORS', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  await assert.rejects(DeltaTable.open(`http://127.0.0.1:${port}/t`, { storage: { fetch: (u, i) => fetch(u, i) } }), (e: unknown) =>
    e instanceof DeltaError && e.code === 'STORAGE_FAILURE' && /CORS/.test(e.hint ?? ''));
});
