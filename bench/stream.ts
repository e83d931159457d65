// `node dist/bench/stream.js`: streaming figures (issue 7).
//  - commit -> delivery latency: a separate process appends one-row commits; the reader notes when
//    each commit's batch reaches it, against the commit file's modification time (set when the
//    commit was written, just before it was linked into place).
//  - sink throughput: rows/s through writeStream for small and large micro-batches.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeltaTable, writeDeltaTable } from '../src/index.js';
import { commitPath } from '../src/protocol/log-paths.js';
import { idBatch, tempDir } from '../test/support/temp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const COMMITS = Number(process.env.STREAM_BENCH_COMMITS ?? 200);


const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function latency(label: string, commits: number, gapMs: number, opts: { fileNotifications: boolean; pollIntervalMs: number }): Promise<void> {
  const uri = path.join(await tempDir('dlts-bench-stream-'), 't');
  await writeDeltaTable(uri, idBatch([-1]));
  const ac = new AbortController();
  const reader = DeltaTable.readStream(uri, { startingVersion: 1, signal: ac.signal, ...opts });
  const child = spawn(process.execPath, [path.join(here, 'stream-appender.js'), uri, String(commits), String(gapMs)], { stdio: 'inherit' });
  const exited = new Promise((r) => child.once('exit', r));
  const samples: number[] = [];
  for await (const batch of reader) {
    const now = Date.now();
    for (let v = batch.firstVersion; v <= batch.lastVersion; v++) {
      const committedAt = (await stat(path.join(uri, commitPath(v)))).mtimeMs;
      samples.push(now - committedAt);
    }
    if (batch.lastVersion >= commits) ac.abort();
  }
  await exited;
  console.log(`${label.padEnd(40)} median ${pct(samples, 50).toFixed(1)} ms  p90 ${pct(samples, 90).toFixed(1)} ms  p99 ${pct(samples, 99).toFixed(1)} ms  (${samples.length} commits)`);
}

async function sinkThroughput(label: string, batches: number, rowsPerBatch: number): Promise<void> {
  const uri = path.join(await tempDir('dlts-bench-sink-'), 't');
  const sink = DeltaTable.writeStream(uri, { appId: 'bench' });
  const data = idBatch(Array.from({ length: rowsPerBatch }, (_, i) => i));
  await sink.write(0, data); // creates the table; not timed
  const t0 = performance.now();
  for (let b = 1; b <= batches; b++) await sink.write(b, data);
  await sink.flush(); // the checkpoints still being written on the worker thread count too
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(40)} ${(batches * rowsPerBatch / s).toFixed(0).padStart(9)} rows/s  ${(batches / s).toFixed(1)} batches/s`);
}

console.log(`commit -> delivery latency, local disk, one-row commits from another process:`);
for (const [commits, gap] of [[COMMITS, 40], [Math.ceil(COMMITS / 8), 500]] as const) {
  console.log(`  ${commits} commits ~${gap} ms apart`);
  await latency('    file notifications (+ polling)', commits, gap, { fileNotifications: true, pollIntervalMs: 1000 });
  await latency('    polling only, pollIntervalMs 100', commits, gap, { fileNotifications: false, pollIntervalMs: 100 });
  await latency('    polling only, pollIntervalMs 1000', commits, gap, { fileNotifications: false, pollIntervalMs: 1000 });
}
console.log('\nsink throughput (writeStream.write, one commit per micro-batch):');
await sinkThroughput('small batches: 200 x 100 rows', 200, 100);
await sinkThroughput('medium batches: 50 x 10k rows', 50, 10_000);
await sinkThroughput('large batches: 5 x 1M rows', 5, 1_000_000);
