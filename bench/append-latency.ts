// `node dist/bench/append-latency.js [commits]`: issue 13's small-write figures, side by side in
// one process, alternating so machine load hits both sides alike.
//  - one-row append to a table of `commits` (default 1,000) commits, writeDeltaTable in a loop,
//    against the local put-if-absent floor (temp file + fsync + link of a tiny commit);
//  - the streaming sink with 100-row micro-batches: batches/s and CPU per batch.
// Medians exclude nothing: every 10th append also writes a checkpoint (the mean shows its cost).
import path from 'node:path';
import { DeltaTable, writeDeltaTable } from '../src/index.js';
import { LocalStore } from '../src/storage/local-store.js';
import { idBatch, tempDir } from '../test/support/temp.js';

const COMMITS = Number(process.argv[2] ?? 1_000);
const SAMPLES = 300;

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

async function appendLatency(): Promise<void> {
  const uri = path.join(await tempDir('dlts-bench-append-'), 't');
  for (let i = 0; i < COMMITS; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  const floorStore = new LocalStore(await tempDir('dlts-bench-floor-'));
  const commitBytes = new TextEncoder().encode('{"commitInfo":{}}\n');
  const append: number[] = [];
  const floor: number[] = [];
  let appendCpuUs = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const batch = idBatch([COMMITS + i]); // the caller's work, built before the clock starts: the floor builds nothing either
    const c0 = process.cpuUsage();
    let t0 = performance.now();
    await writeDeltaTable(uri, batch, { mode: 'append' });
    append.push(performance.now() - t0);
    const c1 = process.cpuUsage(c0);
    appendCpuUs += c1.user + c1.system;
    t0 = performance.now();
    await floorStore.putIfAbsent(`_delta_log/${String(i).padStart(20, '0')}.json`, commitBytes);
    floor.push(performance.now() - t0);
  }
  const version = (await DeltaTable.open(uri)).version;
  console.log(`one-row append to a ${COMMITS.toLocaleString('en-US')}-commit table (writeDeltaTable in a loop, ${SAMPLES} samples, ended at v${version}):`);
  console.log(`  append  median ${pct(append, 50).toFixed(2)} ms  p90 ${pct(append, 90).toFixed(2)} ms  p99 ${pct(append, 99).toFixed(2)} ms  mean ${mean(append).toFixed(2)} ms  CPU ${(appendCpuUs / SAMPLES / 1000).toFixed(2)} ms/append`);
  console.log(`  floor   median ${pct(floor, 50).toFixed(2)} ms  p90 ${pct(floor, 90).toFixed(2)} ms  p99 ${pct(floor, 99).toFixed(2)} ms  (put-if-absent: temp + fsync + link)`);
  console.log(`  ratio   median ${(pct(append, 50) / pct(floor, 50)).toFixed(2)}x the floor, mean ${(mean(append) / mean(floor)).toFixed(2)}x`);
}

async function sinkRate(batches: number, rows: number): Promise<void> {
  const uri = path.join(await tempDir('dlts-bench-sink-'), 't');
  const sink = DeltaTable.writeStream(uri, { appId: 'bench' });
  const data = idBatch(Array.from({ length: rows }, (_, i) => i));
  await sink.write(0, data); // creates the table; not timed
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let b = 1; b <= batches; b++) await sink.write(b, data);
  await sink.flush(); // the checkpoints still being written on the worker thread count too
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  console.log(`stream sink, ${batches} x ${rows}-row micro-batches: ${(batches / s).toFixed(0)} batches/s, CPU ${((cpu.user + cpu.system) / batches / 1000).toFixed(2)} ms/batch`);
}

await appendLatency();
await sinkRate(1_000, 100);
