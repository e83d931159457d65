// `node dist/bench/small-io.js [rounds]`: why LocalStore writes small files with synchronous
// calls around an asynchronous fsync (src/storage/local-small-files.ts). Side by side in one
// process, alternating: the same system calls made through fs.promises (each one a thread-pool
// round trip) and the way the store makes them now.
//  - a commit: temp file + fsync + link + unlink (the put-if-absent floor of append-latency.ts);
//  - a one-row append's files: a data file and its commit, both fsynced before the link.
import { promises as fs, mkdirSync } from 'node:fs';
import path from 'node:path';
import { LocalStore } from '../src/storage/local-store.js';
import { tempDir } from '../test/support/temp.js';

const ROUNDS = Number(process.argv[2] ?? 300);
const dataBytes = new Uint8Array(736).fill(7); // a one-row Parquet file's size
const commitBytes = new Uint8Array(684).fill(65); // its commit's

const dir = await tempDir('dlts-bench-small-io-');
mkdirSync(path.join(dir, '_delta_log'));
const store = new LocalStore(dir);
let n = 0;

async function commitAsync(): Promise<void> {
  const i = n++;
  const tmp = path.join(dir, '_delta_log', `.${i}.tmp`);
  const h = await fs.open(tmp, 'wx');
  await h.writeFile(commitBytes);
  await h.sync();
  await h.close();
  await fs.link(tmp, path.join(dir, '_delta_log', `${i}.json`));
  await fs.unlink(tmp);
}

async function appendAsync(): Promise<void> {
  const i = n++;
  const h = await fs.open(path.join(dir, `part-${i}.parquet`), 'wx');
  await h.writeFile(dataBytes);
  const durable = h.sync().then(() => h.close());
  await commitAsync();
  await durable;
}

const commitStore = async (): Promise<void> => void (await store.putIfAbsent(`_delta_log/${n++}.json`, commitBytes));
async function appendStore(): Promise<void> {
  const { durable } = await store.putUnique(`part-${n++}.parquet`, dataBytes);
  await store.putIfAbsentAfter(`_delta_log/${n++}.json`, commitBytes, durable);
}

const sides = { 'commit, fs.promises': commitAsync, 'commit, LocalStore': commitStore, 'data + commit, fs.promises': appendAsync, 'data + commit, LocalStore': appendStore };
const ms: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(sides)) {
    const t0 = performance.now();
    await run();
    ms[name]!.push(performance.now() - t0);
  }
}
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length * p) / 100)]!;
console.log(`small-file I/O on ${dir} (${ROUNDS} rounds, alternating):`);
for (const [name, xs] of Object.entries(ms)) console.log(`  ${name.padEnd(28)} median ${pct(xs, 50).toFixed(3)} ms  p90 ${pct(xs, 90).toFixed(3)} ms`);
await fs.rm(dir, { recursive: true, force: true });
