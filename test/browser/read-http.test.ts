import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { startStaticServer, type StaticServer } from '../support/http-table-server.js';
import { corpusRoot, repoRoot } from '../support/paths.js';
import { CANONICAL_ROWS_SOURCE, canonicalRows } from './canonical-rows.js';
import { openChromiumPage, type ChromiumPage } from './chromium.js';

// The browser build (dist/browser/deltalake.js, imported by a page as it is) reading tables over
// a local HTTP server that, like a CDN, has no directory listing.

interface Item { kind: string; version?: number; columns?: string[] }
interface Entry { name: string; path: string; expected: { items: Item[] } }
const manifest = JSON.parse(await readFile(path.join(corpusRoot, 'MANIFEST.json'), 'utf8')) as { tables: Entry[] };
// Without a listing a gap in the log looks like its end (see test/integration/http-store.test.ts).
const LOG_GAP = new Set(['versions-not-contiguous']);

type Outcome = { version: number; rows: string[] } | { code: string };

let chromium: ChromiumPage;
let server: StaticServer;
let scratch: string;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'dlts-browser-'));
  await mkdir(path.join(scratch, 'page'));
  await writeFile(path.join(scratch, 'page', 'index.html'), '<!doctype html><title>deltalake-ts browser test</title>');
  server = await startStaticServer({ '/dist/': path.join(repoRoot, 'dist/browser'), '/corpus/': corpusRoot, '/scratch/': scratch });
  chromium = await openChromiumPage(() => `${server.url}/scratch/page/index.html`);
});
after(async () => {
  await chromium?.browser?.close();
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Opens and reads a table inside the page with the browser build. */
function readInPage(uri: string, version: number | undefined, columns?: string[]): Promise<Outcome> {
  return chromium.page.evaluate(async ({ bundle, uri, version, columns, canonical }) => {
    const { DeltaTable } = await import(bundle);
    const rowsOf = new Function(canonical)();
    try {
      const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
      return { version: t.version, rows: rowsOf(await t.toArrow(columns ? { columns } : {})) };
    } catch (err) {
      if (err && typeof err === 'object' && 'code' in err) return { code: String(err.code) };
      throw err;
    }
  }, { bundle: `${server.url}/dist/deltalake.js`, uri, version, columns, canonical: CANONICAL_ROWS_SOURCE });
}

async function readInNode(uri: string, version: number | undefined, columns?: string[]): Promise<Outcome> {
  try {
    const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
    return { version: t.version, rows: canonicalRows(await t.toArrow(columns ? { columns } : {})) };
  } catch (err) {
    if (err instanceof DeltaError) return { code: err.code };
    throw err;
  }
}

for (const entry of manifest.tables) {
  test(`in Chromium, the browser build reads ${entry.name} over HTTP as Node reads its directory`, async (t) => {
    if (!chromium.browser) return t.skip(chromium.skipReason);
    const http = `${server.url}/corpus/${entry.path}`;
    const local = path.join(corpusRoot, entry.path);
    if (LOG_GAP.has(entry.name)) {
      assert.ok('code' in await readInPage(http, undefined));
      return;
    }
    const reads = new Map<string, { version: number | undefined; columns: string[] | undefined }>([['latest', { version: undefined, columns: undefined }]]);
    for (const item of entry.expected.items) {
      if (item.kind === 'snapshot' || item.kind === 'error') reads.set(`${item.version}/${item.columns?.join(',')}`, { version: item.version, columns: item.columns });
    }
    for (const [label, r] of reads) assert.deepEqual(await readInPage(http, r.version, r.columns), await readInNode(local, r.version, r.columns), label);
  });
}

test('in Chromium, one column of a 2M-row table is read by fetching only the footer and that column\'s chunks', async (t) => {
  if (!chromium.browser) return t.skip(chromium.skipReason);
  const n = 2_000_000;
  const local = path.join(scratch, 'two-million');
  await writeDeltaTable(local, tableFromArrays({
    id: Int32Array.from({ length: n }, (_, i) => i),
    x: Float64Array.from({ length: n }, (_, i) => Math.sin(i)),
    y: Float64Array.from({ length: n }, (_, i) => Math.cos(i) * i),
  }), { mode: 'append' });
  const files = await (await DeltaTable.open(local)).files();
  // What the id column occupies in each file, from the files' own footers.
  let idBytes = 0;
  let fileBytes = 0;
  for (const f of files) {
    const bytes = await readFile(path.join(local, f.path));
    fileBytes += bytes.length;
    const meta = (await ParquetFile.fromFile(new Blob([bytes]))).metadata();
    for (const rg of meta.rowGroups()) for (const c of rg.columns()) if (c.columnPath().join('.') === 'id') idBytes += c.compressedSize();
  }
  const from = server.requests.length;
  const result = await chromium.page.evaluate(async ({ bundle, uri }) => {
    const { DeltaTable } = await import(bundle);
    const table = await DeltaTable.open(uri);
    let rows = 0;
    let sum = 0;
    for await (const batch of table.scan({ columns: ['id'] })) {
      rows += batch.numRows;
      for (const v of batch.getChild('id').toArray()) sum += v;
      if (batch.numCols !== 1) throw new Error(`got ${batch.numCols} columns`);
    }
    return { rows, sum };
  }, { bundle: `${server.url}/dist/deltalake.js`, uri: `${server.url}/scratch/two-million` });
  assert.deepEqual(result, { rows: n, sum: (n * (n - 1)) / 2 });
  const parquet = server.requests.slice(from).filter((r) => r.path.endsWith('.parquet') && r.method === 'GET');
  const served = parquet.reduce((s, r) => s + r.bytes, 0);
  assert.ok(parquet.every((r) => r.status === 206), 'every data-file request was a Range request');
  // The id chunks, plus the footer (and the tail read that finds it): never the other columns.
  const footerSlack = 1024 * 1024;
  assert.ok(served >= idBytes, `served ${served} < id column ${idBytes}`);
  assert.ok(served <= idBytes + footerSlack, `served ${served} bytes of ${fileBytes}; the id column is ${idBytes}`);
  assert.ok(fileBytes > 3 * idBytes, 'the other columns are most of the file');
});

test('in Chromium, a relative URI names a table beside the page, a missing one is TABLE_NOT_FOUND and writes are refused', async (t) => {
  if (!chromium.browser) return t.skip(chromium.skipReason);
  const result = await chromium.page.evaluate(async (bundle) => {
    const { DeltaTable, writeDeltaTable } = await import(bundle);
    const codeOf = async (f: () => Promise<unknown>): Promise<string> => {
      try {
        await f();
        return 'no error';
      } catch (err) {
        return String((err as { code?: unknown }).code);
      }
    };
    const table = await DeltaTable.open('../../corpus/tables/dat-basic_append');
    const rows = await table.toArrow(); // Arrow data of the table's own schema: only the store can refuse it
    return {
      version: table.version,
      missing: await codeOf(() => DeltaTable.open('../../corpus/no-such-table')),
      write: await codeOf(() => writeDeltaTable('../../corpus/tables/dat-basic_append', rows, { mode: 'append' })),
    };
  }, `${server.url}/dist/deltalake.js`);
  assert.deepEqual(result, { version: (await DeltaTable.open(path.join(corpusRoot, 'tables/dat-basic_append'))).version, missing: 'TABLE_NOT_FOUND', write: 'UNSUPPORTED_FEATURE' });
});
