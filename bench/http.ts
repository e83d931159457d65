// `node dist/bench/http.js`: reading over plain HTTP on loopback, with no directory listing.
//   bundle:      size of the browser build (dist/browser), raw and gzip: what a page that reads
//                http(s):// tables loads, and what opening an s3:// table adds (the S3 store and
//                the AWS SDK, a chunk loaded by dynamic import)
//   first rows:  time from DeltaTable.open(http://...) to the first batch of a 10k-file table
//                (checkpoint plus commits after it, found by probing), in Node and in headless
//                Chromium with the browser build, next to the same read of the directory
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { tableFromArrays } from 'apache-arrow';
import { DeltaTable } from '../src/index.js';
import { serializeCommit } from '../src/protocol/action-codec.js';
import type { Action } from '../src/protocol/actions.js';
import { commitPath } from '../src/protocol/log-paths.js';
import { writeCheckpoint } from '../src/ops/write/checkpoint.js';
import { writeParquetBytes } from '../src/format/parquet.js';
import { LocalStore } from '../src/storage/local-store.js';
import { ensureChromium, launchChromium } from '../test/browser/chromium.js';
import { startStaticServer } from '../test/support/http-table-server.js';
import { repoRoot } from '../test/support/paths.js';
import { tempDir } from '../test/support/temp.js';

const FILES = 10_000;
const FILES_PER_COMMIT = 1000;
const ROWS_PER_FILE = 100;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

const BROWSER_DIR = path.join(repoRoot, 'dist/browser');
/** The files a page fetches once it imports `file`: it and its static imports, transitively (esbuild's output names them as "./x.js"). */
async function staticClosure(file: string, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = await readFile(path.join(BROWSER_DIR, file), 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*"(\.\/[^"]+\.js)"/g)) await staticClosure(path.posix.join(path.posix.dirname(file), m[1]!), seen);
  return seen;
}
async function sizes(files: Iterable<string>): Promise<{ raw: number; gzip: number }> {
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const bytes = await readFile(path.join(BROWSER_DIR, f));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}
const kib = (n: number): string => (n / 1024).toFixed(0).padStart(6);
const s3Chunk = (await readdir(path.join(BROWSER_DIR, 'chunks'))).find((f) => /^s3-store-.*\.js$/.test(f));
const httpPage = await staticClosure('deltalake.js');
const s3Extra = s3Chunk === undefined ? new Set<string>() : new Set([...await staticClosure(`chunks/${s3Chunk}`)].filter((f) => !httpPage.has(f)));
for (const [label, files] of [['deltalake.js + static chunks', httpPage], ['s3:// adds (lazy chunks)', s3Extra], ['parquet_wasm_bg.wasm', ['parquet_wasm_bg.wasm']]] as const) {
  const { raw, gzip } = await sizes(files);
  console.log(`bundle ${label.padEnd(30)} ${kib(raw)} KiB  gzip ${kib(gzip)} KiB  (${[...files].join(', ')})`);
}

/** A table of FILES real Parquet files: commits of FILES_PER_COMMIT adds, a checkpoint, then 2 more commits. */
async function tenThousandFiles(): Promise<string> {
  const root = await tempDir('dlts-bench-http-');
  const store = new LocalStore(root);
  const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }, { name: 'v', type: 'double', nullable: true, metadata: {} }] });
  const commits = FILES / FILES_PER_COMMIT;
  let n = 0;
  for (let c = 0; c < commits + 2; c++) {
    const actions: Action[] = c === 0 ? [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      { metaData: { id: 'bench-http', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {}, createdTime: 0 } },
    ] : [];
    const perCommit = c < commits ? FILES_PER_COMMIT : 1;
    await mkdir(path.join(root, `c${c}`), { recursive: true });
    for (let i = 0; i < perCommit; i++, n++) {
      const first = n * ROWS_PER_FILE;
      const bytes = writeParquetBytes(tableFromArrays({
        id: BigInt64Array.from({ length: ROWS_PER_FILE }, (_, k) => BigInt(first + k)),
        v: Float64Array.from({ length: ROWS_PER_FILE }, (_, k) => (first + k) / 2),
      }));
      const rel = `c${c}/part-${String(n).padStart(6, '0')}.parquet`;
      await writeFile(path.join(root, rel), bytes);
      actions.push({ add: { path: rel, partitionValues: {}, size: bytes.length, modificationTime: 1_700_000_000_000 + n, dataChange: true,
        stats: JSON.stringify({ numRecords: ROWS_PER_FILE, minValues: { id: first, v: first / 2 }, maxValues: { id: first + ROWS_PER_FILE - 1, v: (first + ROWS_PER_FILE - 1) / 2 }, nullCount: { id: 0, v: 0 } }) } });
    }
    actions.push({ commitInfo: { timestamp: 1_700_000_000_000 + c, operation: 'WRITE' } });
    await store.putIfAbsent(commitPath(c), serializeCommit(actions));
    if (c === commits - 1) await writeCheckpoint(store, { version: c });
  }
  return root;
}

/** Best of `runs` times to open and get the first batch, with the rows of that batch. */
async function firstRows(uri: string, runs: number): Promise<{ ms: number; version: number }> {
  let best = Infinity;
  let version = -1;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const table = await DeltaTable.open(uri);
    for await (const batch of table.scan()) {
      if (batch.numRows > 0) break;
    }
    best = Math.min(best, ms(t0));
    version = table.version;
  }
  return { ms: best, version };
}

const root = await tenThousandFiles();
const server = await startStaticServer({ '/t/': root, '/dist/': path.join(repoRoot, 'dist/browser') });
try {
  const local = await firstRows(root, 3);
  const before = server.requests.length;
  const http = await firstRows(`${server.url}/t`, 3);
  const requests = (server.requests.length - before) / 3;
  console.log(`first rows, ${FILES} files  directory ${local.ms.toFixed(0).padStart(5)} ms   Node over HTTP ${http.ms.toFixed(0).padStart(5)} ms (${requests.toFixed(0)} requests per open+read, version ${http.version})   ratio ${(http.ms / local.ms).toFixed(2)}`);
  const missing = ensureChromium();
  const browser = missing === undefined ? await launchChromium({ skip: () => undefined }) : undefined;
  if (!browser) {
    console.log(`first rows in Chromium: skipped (${missing ?? 'no browser'})`);
  } else {
    const page = await browser.newPage();
    await page.goto(`${server.url}/dist/deltalake.js`); // same origin as the table; any page would do
    const inPage = await page.evaluate(async ({ bundle, uri }) => {
      const t0 = performance.now();
      const { DeltaTable: T } = await import(bundle);
      const loaded = performance.now() - t0;
      let best = Infinity;
      for (let r = 0; r < 3; r++) {
        const t1 = performance.now();
        const table = await T.open(uri);
        for await (const batch of table.scan()) if (batch.numRows > 0) break;
        best = Math.min(best, performance.now() - t1);
      }
      return { loaded, best };
    }, { bundle: `${server.url}/dist/deltalake.js`, uri: `${server.url}/t` });
    console.log(`first rows in Chromium (browser build)  module+wasm load ${inPage.loaded.toFixed(0)} ms, open+first batch ${inPage.best.toFixed(0)} ms   ratio to Node over HTTP ${(inPage.best / http.ms).toFixed(2)}`);
    await browser.close();
  }
} finally {
  await server.close();
}
