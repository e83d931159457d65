// `S3_ENDPOINT=http://127.0.0.1:7480 node dist/bench/s3.js`: the same operations on loopback S3
// (the Ceph RGW of scripts/s3-server.sh) and on local disk, side by side (issue 5).
import path from 'node:path';
import { Float64, Int64, Utf8 } from 'apache-arrow';
import { DeltaTable, writeDeltaTable, type StorageOptions } from '../src/index.js';
import { batchOf, idBatch, tempDir } from '../test/support/temp.js';
import { startWorker } from '../test/support/processes.js';
import { freshS3Uri, s3Options } from '../test/support/s3.js';

if (!process.env['S3_ENDPOINT']) {
  console.error('set S3_ENDPOINT (and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), e.g. after `scripts/s3-server.sh start DIR`');
  process.exit(2);
}
const storage: StorageOptions = s3Options();
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const local = async (): Promise<string> => path.join(await tempDir('dlts-bench-s3-'), 't');

async function commitLatency(uri: string, opts: { storage?: StorageOptions }): Promise<string> {
  await writeDeltaTable(uri, idBatch([0]), opts);
  const lat: number[] = [];
  for (let i = 1; i <= 100; i++) {
    const t0 = performance.now();
    await writeDeltaTable(uri, idBatch([i]), { mode: 'append', ...opts });
    lat.push(performance.now() - t0);
  }
  return `median ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms`;
}

async function fourWriters(uri: string, opts: { storage?: StorageOptions }): Promise<string> {
  await writeDeltaTable(uri, idBatch([-1]), opts);
  const t0 = performance.now();
  const runs = Array.from({ length: 4 }, (_, w) => startWorker('append-worker', [uri, String(w), '20']));
  const results = await Promise.all(runs.map((r) => r.done));
  const s = (performance.now() - t0) / 1000;
  if (results.some((r) => r.code !== 0)) throw new Error(results.map((r) => r.stderr).join('\n'));
  const version = (await DeltaTable.open(uri, opts)).version;
  return `${(80 / s).toFixed(1)} commits/s (final version ${version}, expected 80)`;
}

function rows(start: number, n: number) {
  return batchOf({
    id: { type: new Int64(), values: Array.from({ length: n }, (_, i) => BigInt(start + i)) },
    value: { type: new Float64(), values: Array.from({ length: n }, (_, i) => (start + i) * 0.5) },
    name: { type: new Utf8(), values: Array.from({ length: n }, (_, i) => `name-${(start + i) % 1000}`) },
  });
}

async function uploadAndScan(uri: string, opts: { storage?: StorageOptions }): Promise<string> {
  const data = Array.from({ length: 10 }, (_, i) => rows(i * 100_000, 100_000));
  let t0 = performance.now();
  await writeDeltaTable(uri, data, opts);
  const writeS = (performance.now() - t0) / 1000;
  const table = await DeltaTable.open(uri, opts);
  const bytes = table.snapshot.files.reduce((s, f) => s + f.add.size, 0);
  t0 = performance.now();
  let n = 0;
  for await (const b of table.scan()) n += b.numRows;
  const scanS = (performance.now() - t0) / 1000;
  // Projection and row-group skipping: one of three columns, then ~10% of the rows by a filter.
  t0 = performance.now();
  let oneColumnRows = 0;
  for await (const b of table.scan({ columns: ['id'] })) oneColumnRows += b.numRows;
  if (oneColumnRows !== n) throw new Error(`one-column scan gave ${oneColumnRows} rows`);
  const oneColumnMs = performance.now() - t0;
  t0 = performance.now();
  let matched = 0;
  for await (const b of table.scan({ columns: ['id', 'name'], filter: [['id', '>=', 900_000]] })) matched += b.numRows;
  const filteredMs = performance.now() - t0;
  if (matched !== 100_000) throw new Error(`filter matched ${matched}`);
  return `write 1M rows ${(bytes / 1e6 / writeS).toFixed(1)} MB/s (${(1e6 / writeS / 1e6).toFixed(2)} M rows/s), scan ${(bytes / 1e6 / scanS).toFixed(1)} MB/s (${(n / scanS / 1e6).toFixed(2)} M rows/s), ${(bytes / 1e6).toFixed(1)} MB of Parquet in ${table.snapshot.files.length} file(s); scan of 1 column ${oneColumnMs.toFixed(0)} ms, of id >= 900k (2 of 3 columns) ${filteredMs.toFixed(0)} ms`;
}

process.env['AWS_ENDPOINT_URL'] = storage.endpoint!; // for the worker processes
console.log('small-append commit latency (100 appends, one process):');
console.log(`  local disk  ${await commitLatency(await local(), {})}`);
console.log(`  S3 (RGW)    ${await commitLatency(freshS3Uri(), { storage })}`);
console.log('4 writer processes x 20 appends, aggregate:');
console.log(`  local disk  ${await fourWriters(await local(), {})}`);
console.log(`  S3 (RGW)    ${await fourWriters(freshS3Uri(), { storage })}`);
console.log('1M rows (id long, value double, name string):');
console.log(`  local disk  ${await uploadAndScan(await local(), {})}`);
console.log(`  S3 (RGW)    ${await uploadAndScan(freshS3Uri(), { storage })}`);
