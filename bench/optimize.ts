// OPTIMIZE figures (issue 15). Input tables are built once into bench/out/ (git-ignored) and
// reused; every measured run works on a fresh copy, and each scan runs in a process of its own so
// that peak RSS (process.resourceUsage().maxRSS) is the measured operation's alone.
//
//   node dist/bench/optimize.js compact [files=10000] [rowsPerFile=850]
//       files of ~100 KB (id, x, y, a 96-character random payload) in a table; OPTIMIZE (defaults: 256 MiB
//       target, maxConcurrentTasks = cores): time, CPU, peak RSS, files after; then a full scan of
//       the version before and of the version after, each in its own process.
//   node dist/bench/optimize.js zorder [rows=10000000] [files=100]
//       random x, y in `files` files; the fraction of files min/max skipping keeps for
//       `x < p10 AND y < p10` before and after OPTIMIZE ZORDER BY (x, y) (target: input size / files).
//   node dist/bench/optimize.js stream [batches=8640] [autoCompact=false|true]
//       a sink writing `batches` batches of 100 rows as fast as it can (8,640 is a day of
//       10-second batches): time, files at the end, full scan at the end.
//   node dist/bench/optimize.js stream-report <uri> [batches]
//       a stream table as of a batch count (default: all), from its log: for a run stopped early,
//       and to compare two runs at the same batch count.
//   node dist/bench/optimize.js scan <uri> <version>     (used by the others)
import { Float64, Int64, Utf8 } from 'apache-arrow';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeltaTable, writeDeltaTable } from '../src/index.js';
import { bindFilter } from '../src/ops/read/filter.js';
import { pruneFiles } from '../src/ops/read/scan.js';
import { batchOf } from '../test/support/temp.js';

const self = fileURLToPath(import.meta.url);
const outDir = path.resolve(path.dirname(self), '..', '..', 'bench', 'out');
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const peakRssMiB = (): string => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const cpuS = (): string => ((process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e6).toFixed(1);

let seed = 42;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
/** 96 characters of base64 (72 random bytes): about as incompressible as text gets. */
const payload = (): string => randomBytes(72).toString('base64');

function xyBatch(start: number, n: number, withPayload: boolean) {
  return batchOf({
    id: { type: new Int64(), values: Array.from({ length: n }, (_, i) => BigInt(start + i)) },
    x: { type: new Float64(), values: Array.from({ length: n }, rand) },
    y: { type: new Float64(), values: Array.from({ length: n }, rand) },
    s: { type: new Utf8(), values: Array.from({ length: n }, (_, i) => (withPayload ? payload() : `row-${(start + i) % 9973}`)) },
  });
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/** Builds the input table once: `files` files of `rowsPerFile` rows, written `perCommit` files per commit. */
async function inputTable(name: string, files: number, rowsPerFile: number, withPayload: boolean): Promise<string> {
  const uri = path.join(outDir, name);
  if (await exists(path.join(uri, '.complete'))) return uri;
  await rm(uri, { recursive: true, force: true });
  const perCommit = Math.max(1, Math.min(files, Math.floor(2_000_000 / rowsPerFile)));
  const t0 = process.hrtime.bigint();
  for (let f = 0; f < files; f += perCommit) {
    const batches = Array.from({ length: Math.min(perCommit, files - f) }, (_, k) => xyBatch((f + k) * rowsPerFile, rowsPerFile, withPayload));
    await writeDeltaTable(uri, batches, { mode: 'append', targetFileSizeBytes: 1 }); // one file per batch
  }
  await writeFile(path.join(uri, '.complete'), '');
  console.log(`built ${name} in ${(ms(t0) / 1000).toFixed(0)} s`);
  return uri;
}


/** A fresh copy of an input table to run a rewriting operation on. */
async function workCopy(input: string, name: string): Promise<string> {
  const uri = path.join(outDir, name);
  await rm(uri, { recursive: true, force: true });
  await cp(input, uri, { recursive: true });
  return uri;
}

/** A full scan in a child process: { ms, rows, rssMiB }. */
function scanInChild(uri: string, version: number): { ms: number; rows: number; rssMiB: number; cpuS: number } {
  const out = execFileSync(process.execPath, [self, 'scan', uri, String(version)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as { ms: number; rows: number; rssMiB: number; cpuS: number };
}

async function scan(uri: string, version: number): Promise<void> {
  const t = await DeltaTable.open(uri, { version });
  const t0 = process.hrtime.bigint();
  let rows = 0;
  for await (const b of t.scan()) rows += b.numRows;
  console.log(JSON.stringify({ ms: Math.round(ms(t0)), rows, rssMiB: Number(peakRssMiB()), cpuS: Number(cpuS()) }));
}

async function compactBench(files: number, rowsPerFile: number): Promise<void> {
  const input = await inputTable(`opt-compact-${files}x${rowsPerFile}`, files, rowsPerFile, true);
  const uri = await workCopy(input, 'opt-compact-work');
  const table = await DeltaTable.open(uri);
  const sizes = table.snapshot.files.map((f) => f.add.size);
  const total = sizes.reduce((s, n) => s + n, 0);
  const cpu0 = process.resourceUsage();
  const t0 = process.hrtime.bigint();
  const r = await table.optimize();
  const took = ms(t0);
  const cpu1 = process.resourceUsage();
  const cpu = (cpu1.userCPUTime + cpu1.systemCPUTime - cpu0.userCPUTime - cpu0.systemCPUTime) / 1e6;
  console.log(`compact: ${files} files of ${rowsPerFile} rows (avg ${(total / files / 1024).toFixed(1)} KiB, ${mib(total)} MiB) -> ${r.numFilesAdded} file(s) (${mib(r.bytesAdded)} MiB) in ${(took / 1000).toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU; peak RSS ${peakRssMiB()} MiB`);
  const before = scanInChild(uri, table.version);
  const after = scanInChild(uri, r.version);
  console.log(`compact: full scan of ${before.rows} rows: before ${(before.ms / 1000).toFixed(1)} s (${before.cpuS} s CPU, ${before.rssMiB} MiB), after ${(after.ms / 1000).toFixed(1)} s (${after.cpuS} s CPU, ${after.rssMiB} MiB): ${(before.ms / after.ms).toFixed(1)}x wall, ${(before.cpuS / after.cpuS).toFixed(1)}x CPU`);
}

async function fractionRead(uri: string): Promise<{ read: number; files: number }> {
  const t = await DeltaTable.open(uri);
  // Uniform x, y in [0, 1): p10 is 0.1.
  const filter = bindFilter([['x', '<', 0.1], ['y', '<', 0.1]], t.snapshot.schema);
  return { read: pruneFiles(t.snapshot, filter).length, files: t.snapshot.files.length };
}

async function zorderBench(rows: number, files: number): Promise<void> {
  const input = await inputTable(`opt-zorder-${rows}x${files}`, files, Math.ceil(rows / files), false);
  const uri = await workCopy(input, 'opt-zorder-work');
  const before = await fractionRead(uri);
  const bytes = (await DeltaTable.open(uri)).snapshot.files.reduce((s, f) => s + f.add.size, 0);
  const t0 = process.hrtime.bigint();
  const r = await (await DeltaTable.open(uri)).optimize({ zOrderBy: ['x', 'y'], targetSizeBytes: Math.ceil(bytes / files) });
  const took = ms(t0);
  const after = await fractionRead(uri);
  console.log(`zorder: ${rows} rows (${mib(bytes)} MiB), ${files} files -> ${r.numFilesAdded} files in ${(took / 1000).toFixed(1)} s wall, ${cpuS()} s CPU (process); peak RSS ${peakRssMiB()} MiB`);
  console.log(`zorder: files read for x < p10 AND y < p10: before ${before.read}/${before.files} (${(100 * before.read / before.files).toFixed(1)}%), after ${after.read}/${after.files} (${(100 * after.read / after.files).toFixed(1)}%)`);
}

async function streamBench(batches: number, autoCompact: boolean): Promise<void> {
  const uri = path.join(outDir, `opt-stream-${batches}-${autoCompact ? 'auto' : 'plain'}`);
  await rm(uri, { recursive: true, force: true });
  const sink = DeltaTable.writeStream(uri, { appId: 'bench', autoCompact });
  const t0 = process.hrtime.bigint();
  let compactions = 0;
  for (let b = 0; b < batches; b++) {
    const r = await sink.write(b, xyBatch(b * 100, 100, false));
    if (r.autoCompaction && r.autoCompaction.numFilesRemoved > 0) compactions++;
  }
  const took = ms(t0);
  const t = await DeltaTable.open(uri);
  const s = scanInChild(uri, t.version);
  console.log(`stream: ${batches} batches of 100 rows, autoCompact ${autoCompact}: ${(took / 1000).toFixed(0)} s (${(took / batches).toFixed(1)} ms/batch), ${compactions} compactions, ${t.snapshot.files.length} files at the end; full scan of ${s.rows} rows ${s.ms} ms (${s.cpuS} s CPU); peak RSS ${peakRssMiB()} MiB`);
}

/**
 * A stream table as of its batch `batches - 1` (default: the latest), from its log: the time the
 * batches took (commit timestamps), compactions, files, and a full scan in a child process. For
 * runs stopped before the end, and to compare two runs at the same batch count.
 */
async function streamReport(uri: string, batches?: number): Promise<void> {
  const latest = await DeltaTable.open(uri);
  const history = [...await latest.history()].reverse();
  let version = latest.version;
  let seen = 0;
  let compactions = 0;
  for (const h of history) {
    if (h.operation === 'STREAMING UPDATE' || h.operation === 'WRITE' || h.operation === 'CREATE TABLE') seen++;
    else if (h.operation === 'OPTIMIZE') compactions++;
    if (batches !== undefined && seen === batches) {
      version = h.version;
      break;
    }
  }
  const at = await DeltaTable.open(uri, { version });
  const first = history[0]!.timestamp;
  const last = history.find((h) => h.version === version)!.timestamp;
  const s = scanInChild(uri, version);
  console.log(`stream-report ${path.basename(uri)}: ${seen} batches (version ${version}), ${compactions} compactions, ${(Number(last) - Number(first)) / 1000} s of commits (${((Number(last) - Number(first)) / Math.max(1, seen - 1)).toFixed(1)} ms/batch), ${at.snapshot.files.length} files; full scan of ${s.rows} rows ${s.ms} ms (${s.cpuS} s CPU)`);
}

await mkdir(outDir, { recursive: true });
const [stage, ...args] = process.argv.slice(2);
if (stage === 'compact') await compactBench(Number(args[0] ?? 10_000), Number(args[1] ?? 850));
else if (stage === 'zorder') await zorderBench(Number(args[0] ?? 10_000_000), Number(args[1] ?? 100));
else if (stage === 'stream') await streamBench(Number(args[0] ?? 8_640), args[1] === 'true');
else if (stage === 'scan') await scan(args[0]!, Number(args[1]));
else if (stage === 'stream-report') await streamReport(args[0]!, args[1] === undefined ? undefined : Number(args[1]));
else {
  console.error('usage: node dist/bench/optimize.js compact [files] [rowsPerFile] | zorder [rows] [files] | stream [batches] [true|false]');
  process.exit(2);
}
