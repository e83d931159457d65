// `node dist/bench/open.js [quick]`: time and peak memory to open tables with many commits
// (checkpoint every 10) or many active files, and to write their checkpoints, each next to the
// raw cost of reading the same checkpoint Parquet and JSON files (the floor). Every measurement
// runs in a fresh process, so its peak RSS is its own. `quick` skips the 100k-commit and
// 1M-file tables.
import { execFileSync } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeltaTable } from '../src/index.js';
import { serializeCommit } from '../src/protocol/action-codec.js';
import type { Action } from '../src/protocol/actions.js';
import { commitPath } from '../src/protocol/log-paths.js';
import { bindFilter } from '../src/ops/read/filter.js';
import { pruneFiles } from '../src/ops/read/scan.js';
import { writeCheckpoint } from '../src/ops/write/checkpoint.js';
import { readParquetBytes } from '../src/format/parquet.js';
import { bytesSource, readParquetRanged } from '../src/format/parquet-ranged.js';
import { LocalStore } from '../src/storage/local-store.js';
import { loadTableState, type TableState } from '../src/snapshot/snapshot.js';
import { tempDir } from '../test/support/temp.js';

const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] });
const header: Action[] = [
  { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
  { metaData: { id: 'bench', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {}, createdTime: 0 } },
];
const partitionedSchema = JSON.stringify({ type: 'struct', fields: [
  { name: 'id', type: 'long', nullable: true, metadata: {} }, { name: 'p', type: 'string', nullable: true, metadata: {} },
] });
const partitionedHeader: Action[] = [
  header[0]!,
  { metaData: { id: 'bench-p', format: { provider: 'parquet', options: {} }, schemaString: partitionedSchema, partitionColumns: ['p'], configuration: {}, createdTime: 0 } },
];
// Realistic stats: a JSON string per file, as Spark writes for a one-column table. With
// `partitions`, file i is in partition p = i % partitions.
const add = (i: number, partitions = 0): Action => ({ add: {
  path: `${partitions > 0 ? `p=${i % partitions}/` : ''}part-00000-${String(i).padStart(8, '0')}-c000.snappy.parquet`,
  partitionValues: partitions > 0 ? { p: String(i % partitions) } : {}, size: 1000 + (i % 977), modificationTime: 1_700_000_000_000 + i, dataChange: true,
  stats: `{"numRecords":${100 + (i % 50)},"minValues":{"id":${i * 100}},"maxValues":{"id":${i * 100 + 99}},"nullCount":{"id":0}}`,
} });

/**
 * A table of `commits` commits with `filesPerCommit` adds each and a checkpoint every
 * `checkpointEvery` (none when 0). With `onlyLastCheckpoint` only the newest checkpoint is
 * written: opening the latest version reads nothing older, and 10k growing checkpoints for a
 * 100k-commit table would take hours.
 */
async function table(commits: number, filesPerCommit: number, checkpointEvery: number, onlyLastCheckpoint = false, partitions = 0): Promise<string> {
  const uri = await tempDir('dlts-bench-open-');
  const store = new LocalStore(uri);
  let n = 0;
  const last = checkpointEvery > 0 ? Math.floor((commits - 1) / checkpointEvery) * checkpointEvery : -1;
  for (let v = 0; v < commits; v++) {
    const actions: Action[] = v === 0 ? [...(partitions > 0 ? partitionedHeader : header)] : [];
    for (let i = 0; i < filesPerCommit; i++) actions.push(add(n++, partitions));
    await store.putIfAbsent(commitPath(v), serializeCommit(actions));
    if (v > 0 && checkpointEvery > 0 && v % checkpointEvery === 0 && (!onlyLastCheckpoint || v === last)) await writeCheckpoint(store, { version: v });
  }
  return uri;
}

interface Measured { ms: number; peakMiB: number; files?: number; version?: number }

/** Runs one measurement in a fresh node process. */
function inChild(op: 'open' | 'open-once' | 'open-files-once' | 'prune-once' | 'state' | 'state-once' | 'timestamp' | 'floor' | 'floor-files' | 'checkpoint', uri: string, version?: number): Measured {
  const args = [fileURLToPath(import.meta.url), 'child', op, uri, ...(version === undefined ? [] : [String(version)])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 })) as Measured;
}

async function child(op: string, uri: string, version: number | undefined): Promise<void> {
  let result: Omit<Measured, 'peakMiB'>;
  const opts = version === undefined ? {} : { version };
  if (op === 'open') {
    let t: DeltaTable | undefined;
    const ms = await medianMs(async () => { t = await DeltaTable.open(uri, opts); });
    result = { ms, files: t!.snapshot.fileCount, version: t!.version };
  } else if (op === 'open-once' || op === 'open-files-once') {
    // One cold open, alone in its process: its peak RSS is the cost of holding that snapshot.
    // `open-files-once` also builds the file list (an object per file), as a scan or vacuum does.
    const t0 = performance.now();
    const t = await DeltaTable.open(uri, opts);
    const files = op === 'open-files-once' ? t.snapshot.files.length : t.snapshot.fileCount;
    result = { ms: performance.now() - t0, files, version: t.version };
  } else if (op === 'prune-once') {
    // Open, then the files of one partition of 100 (what a scan with `p = '7'` reads).
    const t0 = performance.now();
    const t = await DeltaTable.open(uri, opts);
    const files = pruneFiles(t.snapshot, bindFilter([['p', '=', '7']], t.snapshot.schema)).length;
    result = { ms: performance.now() - t0, files, version: t.version };
  } else if (op === 'state' || op === 'state-once') {
    // What an append opens: the table state without its file list.
    const store = new LocalStore(uri);
    let state: TableState | undefined;
    const t0 = performance.now();
    const ms = op === 'state' ? await medianMs(async () => { state = await loadTableState(store, opts); }) : (state = await loadTableState(store, opts), performance.now() - t0);
    result = { ms, version: state!.version };
  } else if (op === 'timestamp') {
    // Open by the modification time of version `version`'s commit file (no in-commit timestamps).
    const at = new Date((await stat(path.join(uri, commitPath(version!)))).mtimeMs);
    let t: DeltaTable | undefined;
    const ms = await medianMs(async () => { t = await DeltaTable.open(uri, { timestamp: at }); });
    result = { ms, files: t!.snapshot.fileCount, version: t!.version };
  } else if (op === 'floor' || op === 'floor-files') {
    result = { ms: await medianMs(() => rawRead(op, uri, version)) };
  } else {
    const t0 = performance.now();
    const r = await writeCheckpoint(new LocalStore(uri));
    result = { ms: performance.now() - t0, files: r.numOfAddFiles, version: r.version };
  }
  process.stdout.write(JSON.stringify({ ...result, peakMiB: await peakRssMiB() }));
}

/** Median wall time of 3 runs after 2 warm-up runs (JIT, wasm memory growth, file cache). */
async function medianMs(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 2; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[1]!;
}

/**
 * This process's peak RSS (VmHWM). Not getrusage's maxRSS: on Linux that keeps the parent's
 * high-water mark across fork and exec, so a child would report the bench driver's memory.
 */
async function peakRssMiB(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return Math.round((kb === undefined ? process.resourceUsage().maxRSS : Number(kb)) / 1024);
}

/**
 * The floor: reading the files opening `version` needs, the newest checkpoint at or below it
 * and the commits after, with no Delta logic. 'floor' decodes the whole checkpoint (parquet-wasm's
 * in-memory reader), 'floor-files' only its add and remove columns (the Blob-backed reader our checkpoint reads use).
 */
async function rawRead(op: 'floor' | 'floor-files', uri: string, version: number | undefined): Promise<void> {
  const log = path.join(uri, '_delta_log');
  const names = (await readdir(log)).sort();
  const upTo = version === undefined ? '~' : String(version).padStart(20, '0') + '.~';
  const cp = names.filter((n) => n.endsWith('.checkpoint.parquet') && n < upTo).at(-1);
  if (cp && op === 'floor') readParquetBytes(await readFile(path.join(log, cp)));
  if (cp && op === 'floor-files') {
    const source = bytesSource(await readFile(path.join(log, cp)));
    for await (const _batch of readParquetRanged(source, { columns: ['add', 'remove'], batchSize: 65_536 })) { /* decode only */ }
  }
  const tail = names.filter((n) => /^\d{20}\.json$/.test(n) && n < upTo && (!cp || n > cp.slice(0, 20)));
  for (const n of tail) JSON.parse('[' + (await readFile(path.join(log, n), 'utf8')).trim().split('\n').join(',') + ']');
}

const fmt = (m: Measured): string => `${m.ms.toFixed(1).padStart(8)} ms, peak RSS ${String(m.peakMiB).padStart(5)} MiB`;

function openFigure(label: string, uri: string, version?: number): void {
  const open = inChild('open', uri, version);
  const once = inChild('open-once', uri, version);
  const withFiles = inChild('open-files-once', uri, version);
  const floor = inChild('floor', uri, version);
  const files = inChild('floor-files', uri, version);
  console.log(`open ${label.padEnd(38)} v${open.version}, ${open.files} files: median ${open.ms.toFixed(1)} ms; one cold open ${once.ms.toFixed(1)} ms, peak RSS ${once.peakMiB} MiB; with its file list built ${withFiles.ms.toFixed(1)} ms, ${withFiles.peakMiB} MiB`);
  console.log(`  floor (median): raw read of the whole checkpoint + JSON tail ${floor.ms.toFixed(1)} ms (ratio ${(open.ms / floor.ms).toFixed(2)}); of its add/remove columns + tail ${files.ms.toFixed(1)} ms (ratio ${(open.ms / files.ms).toFixed(2)})`);
}

/** Opening for an append (no file list) and by timestamp, the figures of issue 13. */
function stateFigure(label: string, uri: string): void {
  const warm = inChild('state', uri);
  const once = inChild('state-once', uri);
  console.log(`state ${label.padEnd(37)} v${warm.version} (no file list, as an append opens it): median ${warm.ms.toFixed(1)} ms; one cold open ${once.ms.toFixed(1)} ms, peak RSS ${once.peakMiB} MiB`);
}

function timestampFigure(label: string, uri: string, version: number): void {
  const m = inChild('timestamp', uri, version);
  console.log(`open by timestamp ${label.padEnd(25)} -> v${m.version}, ${m.files} files: median ${m.ms.toFixed(1)} ms`);
}

/** A scan's file list for one partition of a partitioned table, next to building the whole list. */
function partitionFigure(label: string, uri: string): void {
  const one = inChild('prune-once', uri);
  const all = inChild('open-files-once', uri);
  console.log(`prune ${label.padEnd(37)} v${one.version}: files of p = '7': ${one.files}, open + prune ${one.ms.toFixed(1)} ms, peak RSS ${one.peakMiB} MiB; open + all ${all.files} files built ${all.ms.toFixed(1)} ms, ${all.peakMiB} MiB`);
}

function checkpointFigure(label: string, uri: string): void {
  const m = inChild('checkpoint', uri);
  console.log(`checkpoint ${label.padEnd(28)} v${m.version}, ${m.files} files: ${fmt(m)}`);
}

if (process.argv[2] === 'child') {
  await child(process.argv[3]!, process.argv[4]!, process.argv[5] === undefined ? undefined : Number(process.argv[5]));
} else if (process.argv[2] === 'make') {
  // `make <commits> <filesPerCommit> <checkpointEvery>`: builds a table and prints its path, for profiling.
  const [commits, files, every] = process.argv.slice(3).map(Number);
  console.log(await table(commits!, files!, every!));
} else if (process.argv[2] === 'make-partitioned') {
  // `make-partitioned <commits> <filesPerCommit>`: 100 partitions, one checkpoint at the end.
  const [commits, files] = process.argv.slice(3).map(Number);
  const uri = await table(commits!, files!, 0, false, 100);
  await writeCheckpoint(new LocalStore(uri));
  console.log(uri);
} else if (process.argv[2] === 'partitions') {
  partitionFigure(process.argv[3]!, process.argv[3]!);
} else if (process.argv[2] === 'state') {
  // `state <uri>`: the append-open figure alone, on a table made with `make`.
  stateFigure(process.argv[3]!, process.argv[3]!);
} else {
  const quick = process.argv[2] === 'quick';
  openFigure('1k commits', await table(1_000, 1, 10));
  const tenK = await table(10_000, 1, 10);
  openFigure('10k commits', tenK);
  openFigure('10k commits, old version 5,005', tenK, 5_005);
  openFigure('10k commits, version 3 (no checkpoint)', tenK, 3);
  stateFigure('10k commits', tenK);
  timestampFigure('10k commits, at v5,005', tenK, 5_005);
  timestampFigure('10k commits, at latest', tenK, 9_999);
  if (!quick) openFigure('100k commits', await table(100_000, 1, 10, true));
  openFigure('10k files', await table(11, 1_000, 10));
  const hundredK = await table(11, 10_000, 0);
  checkpointFigure('100k files from JSON', hundredK);
  checkpointFigure('100k files from checkpoint', hundredK);
  openFigure('100k files', hundredK);
  if (!quick) {
    const million = await table(11, 100_000, 0);
    checkpointFigure('1.1M files from JSON', million);
    checkpointFigure('1.1M files from checkpoint', million);
    openFigure('1.1M files', million);
    stateFigure('1.1M files', million);
    const partitioned = await table(11, 100_000, 0, false, 100);
    await writeCheckpoint(new LocalStore(partitioned));
    partitionFigure('1.1M files in 100 partitions', partitioned);
  }
}
