// `node dist/bench/dml.js [rows] [files]`: DELETE / UPDATE / MERGE figures (issue 14).
//   A table of `rows` rows (default 10M) in `files` files (default 1,000), ids ascending, so each
//   file holds one id range; built once into bench/out/ and copied for each run.
//   upsert: MERGE of 10k source rows, 5k matching ids spread over 1% of the files (every 100th
//           file) and 5k new ids: copy-on-write and deletion vectors.
//   delete: DELETE WHERE id % 100 = 0 (1% of the rows, in every file): copy-on-write and DVs.
//   Each is compared with the same change made by a plain overwrite (scan everything, change the
//   rows in the stream, write the whole table again). Each run is its own process, so its peak
//   RSS is its own; files read are counted at the store (distinct data files opened).
import { cp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { Float64, Int64, Utf8, type RecordBatch } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../src/index.js';
import { deleteRows } from '../src/ops/dml/delete.js';
import { MergeBuilder } from '../src/ops/dml/merge/merge-builder.js';
import { filterRows } from '../src/format/arrow-take.js';
import { loadSnapshot } from '../src/snapshot/snapshot.js';
import { LocalStore } from '../src/storage/local-store.js';
import type { ObjectStore } from '../src/storage/object-store.js';
import { batchOf } from '../test/support/temp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.resolve(here, '..', '..', 'bench', 'out');
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function rowsBatch(ids: ArrayLike<number>, tag: string): RecordBatch {
  const n = ids.length;
  return batchOf({
    id: { type: new Int64(), values: Array.from({ length: n }, (_, i) => BigInt(ids[i]!)) },
    name: { type: new Utf8(), values: Array.from({ length: n }, (_, i) => `${tag}-${ids[i]! % 1000}`) },
    value: { type: new Float64(), values: Array.from({ length: n }, (_, i) => ids[i]! * 0.5) },
  });
}

/** The source of the upsert: 500 ids from every 100th file (5k updates) and 5k ids beyond the table. */
function upsertIds(rows: number, files: number): number[] {
  const per = rows / files;
  const ids: number[] = [];
  for (let f = 0; f < files; f += 100) for (let i = 0; i < 500; i++) ids.push(f * per + i * Math.floor(per / 500));
  const updates = ids.length;
  for (let i = 0; i < 10_000 - updates; i++) ids.push(rows + i);
  return ids;
}

async function buildBase(rows: number, files: number): Promise<string> {
  const dir = path.join(OUT, `dml-${rows}-${files}`);
  try {
    const t = await DeltaTable.open(dir);
    if (t.snapshot.files.length === files) return dir;
  } catch { /* not built yet */ }
  await rm(dir, { recursive: true, force: true });
  const per = rows / files;
  const perCommit = Math.min(100, files);
  const t0 = process.hrtime.bigint();
  for (let c = 0; c < files / perCommit; c++) {
    const batches = Array.from({ length: perCommit }, (_, k) => {
      const f = c * perCommit + k;
      return rowsBatch(Int32Array.from({ length: per }, (_, i) => f * per + i), 'row');
    });
    // One file per batch: a tiny target size flushes after each.
    await writeDeltaTable(dir, batches, { mode: c === 0 ? 'error' : 'append', targetFileSizeBytes: 1 });
  }
  console.log(`built ${rows.toLocaleString('en-US')} rows in ${files} files at ${dir} in ${(ms(t0) / 1000).toFixed(1)} s`);
  return dir;
}

/** A local store that counts the distinct data files read. */
function countingStore(inner: ObjectStore, seen: Set<string>): ObjectStore {
  const note = (p: string): void => { if (p.endsWith('.parquet') && !p.includes('_delta_log')) seen.add(p); };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if ((prop === 'get' || prop === 'getRange' || prop === 'head') && typeof v === 'function') {
        return (p: string, ...rest: unknown[]) => { note(p); return (v as (...a: unknown[]) => unknown).call(target, p, ...rest); };
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

type Run = 'merge' | 'delete' | 'overwrite-merge' | 'overwrite-delete';

/** One measured run in this process (a fresh copy of the table at `dir`). */
async function child(run: Run, dir: string, rows: number, files: number): Promise<void> {
  const seen = new Set<string>();
  const store = countingStore(new LocalStore(dir), seen);
  const snapshot = await loadSnapshot(store);
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let detail = '';
  if (run === 'merge') {
    const r = await new MergeBuilder(async () => snapshot, rowsBatch(upsertIds(rows, files), 'new'), { on: ['id'] })
      .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    detail = `updated ${r.numTargetRowsUpdated}, inserted ${r.numTargetRowsInserted}, files removed ${r.numTargetFilesRemoved}, added ${r.numTargetFilesAdded}, DVs ${r.numTargetDeletionVectorsAdded}`;
  } else if (run === 'delete') {
    const r = await deleteRows(snapshot, 'id % 100 = 0');
    detail = `deleted ${r.numDeletedRows}, files removed ${r.numRemovedFiles}, added ${r.numAddedFiles}, DVs ${r.numDeletionVectorsAdded}`;
  } else {
    // The plain way: stream the whole table through, changing rows on the way, and overwrite it.
    const table = await DeltaTable.open(dir);
    const upsert = run === 'overwrite-merge' ? upsertIds(rows, files) : [];
    const matched = new Set(upsert.filter((i) => i < rows));
    async function* changed(): AsyncGenerator<RecordBatch> {
      for await (const b of table.scan()) {
        const ids = b.getChild('id')!.toArray() as BigInt64Array;
        if (run === 'overwrite-delete') {
          yield filterRows(b, Uint8Array.from(ids, (id) => (id % 100n === 0n ? 0 : 1)));
        } else {
          yield filterRows(b, Uint8Array.from(ids, (id) => (matched.has(Number(id)) ? 0 : 1)));
        }
      }
      if (run === 'overwrite-merge') yield rowsBatch(upsert, 'new');
    }
    await writeDeltaTable(dir, changed(), { mode: 'overwrite' });
    for (const f of table.snapshot.files) seen.add(f.add.path);
    detail = `rewrote ${table.snapshot.files.length} files`;
  }
  const elapsed = ms(t0);
  const cpu = process.cpuUsage(cpu0);
  const version = (await DeltaTable.open(dir)).version;
  console.log(JSON.stringify({ run, ms: elapsed, cpuMs: (cpu.user + cpu.system) / 1000, filesRead: seen.size, peakRssMb: process.resourceUsage().maxRSS / 1024, detail, version }));
}

async function measure(base: string, run: Run, dvs: boolean, rows: number, files: number): Promise<Record<string, unknown>> {
  const dir = path.join(OUT, 'dml-work');
  await rm(dir, { recursive: true, force: true });
  await cp(base, dir, { recursive: true });
  // Every run starts from the same version (10, a checkpoint written here, not timed) and commits 11.
  await writeDeltaTable(dir, [], { mode: 'append', properties: { 'delta.enableDeletionVectors': dvs ? 'true' : 'false' } });
  const script = fileURLToPath(import.meta.url);
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, [script, '--child', run, dir, String(rows), String(files)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString()));
    p.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`${run} exited with ${code}`))));
  });
  await rm(dir, { recursive: true, force: true });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

export async function runDmlBench(rows = 10_000_000, files = 1_000): Promise<void> {
  const base = await buildBase(rows, files);
  const size = (await DeltaTable.open(base)).snapshot.files.reduce((s, f) => s + f.add.size, 0);
  console.log(`dml bench: ${rows.toLocaleString('en-US')} rows, ${files} files, ${(size / 1e6).toFixed(0)} MB (${(await stat(base)).isDirectory() ? base : ''})`);
  const line = (label: string, r: Record<string, unknown>, baseline?: Record<string, unknown>): void => {
    const ratio = baseline ? `  overwrite/this: wall ${((baseline.ms as number) / (r.ms as number)).toFixed(1)}x, CPU ${((baseline.cpuMs as number) / (r.cpuMs as number)).toFixed(1)}x` : '';
    console.log(`${label.padEnd(28)} wall ${((r.ms as number) / 1000).toFixed(2).padStart(7)} s  CPU ${((r.cpuMs as number) / 1000).toFixed(2).padStart(7)} s  files read ${String(r.filesRead).padStart(5)}  peak RSS ${(r.peakRssMb as number).toFixed(0).padStart(5)} MB  (${String(r.detail)})${ratio}`);
  };
  const owMerge = await measure(base, 'overwrite-merge', false, rows, files);
  line('upsert 10k, plain overwrite', owMerge);
  line('upsert 10k, MERGE (CoW)', await measure(base, 'merge', false, rows, files), owMerge);
  line('upsert 10k, MERGE (DVs)', await measure(base, 'merge', true, rows, files), owMerge);
  const owDelete = await measure(base, 'overwrite-delete', false, rows, files);
  line('delete 1%, plain overwrite', owDelete);
  line('delete 1%, DELETE (CoW)', await measure(base, 'delete', false, rows, files), owDelete);
  line('delete 1%, DELETE (DVs)', await measure(base, 'delete', true, rows, files), owDelete);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  if (process.argv[2] === '--child') {
    const [, , , run, dir, rows, files] = process.argv;
    await child(run as Run, dir!, Number(rows), Number(files));
  } else {
    const [rows = 10_000_000, files = 1_000] = process.argv.slice(2).map(Number);
    await runDmlBench(rows, files);
  }
}
