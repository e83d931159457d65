import assert from 'node:assert/strict';
import { cp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, isDeltaError, type DeltaError } from '../../src/index.js';
import { wasmInstancesReplaced } from '../../src/format/parquet-wasm-instance.js';
import { dvRelativePath } from '../../src/protocol/deletion-vector.js';
import { corpusRoot } from '../support/paths.js';
import { startWorker, type WorkerRun } from '../support/processes.js';
import { tempDir } from '../support/temp.js';
import type { CorruptCase } from '../support/workers/corrupt-read-worker.js';

// Tables with flat, nested, partitioned, INT96, column-mapped and deletion-vector data files.
const TABLES = [
  'parquet-all-types', 'data-reader-nested-struct', 'dat-multi_partitioned', 'kernel-timestamp-int96',
  'table-with-columnmapping-mode-name', 'basic-decimal-table', 'data-reader-map',
  'table-with-dv-small', 'with-short-dv', 'dv-partitioned-with-checkpoint',
];
const SEED = Number(process.env['CORRUPT_SEED'] ?? 20261201);
const CASES_PER_REGION: Record<string, number> = { pages: 150, footer: 60, trailer: 15, dv: 45 };
/** A case that takes longer than this is a hang (a normal case takes well under a second). */
const CASE_TIMEOUT_MS = 30_000;

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Target { table: string; file: string; bytes: Uint8Array }

async function targets(): Promise<{ parquet: Target[]; dv: Target[] }> {
  const parquet: Target[] = [];
  const dv: Target[] = [];
  for (const table of TABLES) {
    const root = path.join(corpusRoot, 'tables', table);
    // Only files the latest snapshot reads: a flip elsewhere proves nothing.
    const snapshot = (await DeltaTable.open(root)).snapshot;
    for (const f of snapshot.files) {
      parquet.push({ table, file: f.path, bytes: await readFile(path.join(root, f.path)) });
      const d = f.add.deletionVector;
      if (d?.storageType === 'u') dv.push({ table, file: dvRelativePath(d), bytes: await readFile(path.join(root, dvRelativePath(d))) });
    }
  }
  return { parquet, dv };
}

function makeCases(parquet: Target[], dv: Target[], rand: () => number): CorruptCase[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const cases: CorruptCase[] = [];
  for (const [region, n] of Object.entries(CASES_PER_REGION)) {
    for (let k = 0; k < n; k++) {
      const t = region === 'dv' ? pick(dv) : pick(parquet);
      const size = t.bytes.length;
      const footerLen = new DataView(t.bytes.buffer, t.bytes.byteOffset + size - 8, 4).getUint32(0, true);
      const footerStart = size - 8 - footerLen;
      const [from, to] = region === 'pages' ? [4, footerStart] : region === 'footer' ? [footerStart, size - 8] : region === 'trailer' ? [size - 8, size] : [0, size];
      const flips: Array<[number, number]> = [];
      const count = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < count; f++) flips.push([from + Math.floor(rand() * (to - from)), 1 + Math.floor(rand() * 255)]);
      cases.push({ table: t.table, file: t.file, region, flips });
    }
  }
  return cases;
}

interface Outcome { i: number; outcome: 'same' | 'different' | 'delta' | 'other'; code?: string; message?: string; hint?: string; traps: number }

/** Runs every case in worker processes, restarting after an exit or a hang; one result per case. */
async function runCases(casesFile: string, total: number): Promise<Array<Outcome | { i: number; outcome: 'exit' | 'hang'; detail: string }>> {
  const results: Array<Outcome | { i: number; outcome: 'exit' | 'hang'; detail: string }> = [];
  let next = 0;
  while (next < total) {
    const run: WorkerRun = startWorker('corrupt-read-worker', [casesFile, String(next)]);
    let seen = 0;
    let exited = false;
    void run.done.then(() => (exited = true));
    let lastProgress = Date.now();
    for (;;) {
      while (seen < run.lines.length) {
        results.push(JSON.parse(run.lines[seen++]!) as Outcome);
        next++;
        lastProgress = Date.now();
      }
      if (next >= total) break;
      if (exited) {
        const { code, signal, stderr } = await run.done;
        while (seen < run.lines.length) { results.push(JSON.parse(run.lines[seen++]!) as Outcome); next++; }
        if (next < total) results.push({ i: next++, outcome: 'exit', detail: `code ${code} signal ${signal}: ${stderr.slice(-2000)}` });
        break;
      }
      if (Date.now() - lastProgress > CASE_TIMEOUT_MS) {
        run.child.kill('SIGKILL');
        await run.done;
        results.push({ i: next++, outcome: 'hang', detail: `no result within ${CASE_TIMEOUT_MS} ms` });
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!exited) await run.done;
  }
  return results;
}

test('flipped bytes in data pages, footers and deletion vectors give the same rows or a DeltaError, never a crash or a hang', async () => {
  const { parquet, dv } = await targets();
  assert.ok(parquet.length >= 10 && dv.length >= 3, `targets: ${parquet.length} data files, ${dv.length} DVs`);
  const cases = makeCases(parquet, dv, prng(SEED));
  const dir = await tempDir('dlts-corrupt-cases-');
  const casesFile = path.join(dir, 'cases.json');
  await writeFile(casesFile, JSON.stringify({ corpus: path.join(corpusRoot, 'tables'), cases }));
  try {
    const results = await runCases(casesFile, cases.length);
    const counts: Record<string, number> = {};
    for (const r of results) {
      const key = `${cases[r.i]!.region}/${r.outcome}${'code' in r && r.code ? `:${r.code}` : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const traps = Math.max(0, ...results.map((r) => ('traps' in r ? r.traps : 0)));
    console.log(`corrupt-file cases (seed ${SEED}): ${JSON.stringify(counts)}; wasm traps contained in the last worker: ${traps}`);
    if (process.env['CORRUPT_VERBOSE']) for (const r of results) if (r.outcome === 'different' || r.outcome === 'same') console.log(r.outcome, JSON.stringify(cases[r.i]));
    const bad = results.filter((r) => r.outcome === 'other' || r.outcome === 'exit' || r.outcome === 'hang');
    assert.deepEqual(bad.map((r) => ({ case: cases[r.i], ...r })), [], `seed ${SEED}`);
    // Every DeltaError names the damaged file and says what to do.
    for (const r of results) {
      if (r.outcome !== 'delta') continue;
      const o = r as Outcome;
      const c = cases[o.i]!;
      assert.ok(o.hint && o.hint.length > 0, `no hint: ${JSON.stringify(o)}`);
      if (o.code === 'CORRUPT_DATA') assert.ok(o.message!.includes(path.basename(c.file)) || (c.region === 'dv' && o.message!.includes('.parquet')), `${JSON.stringify(o)} for ${c.file}`);
    }
    assert.equal(results.length, cases.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** A copy of a corpus table in a temp dir, with `mutate` applied to one of its files. */
async function damagedCopy(table: string, file: string, mutate: (bytes: Uint8Array) => Uint8Array): Promise<{ uri: string; cleanup: () => Promise<void> }> {
  const dir = await tempDir('dlts-corrupt-');
  const uri = path.join(dir, table);
  await cp(path.join(corpusRoot, 'tables', table), uri, { recursive: true });
  const target = path.join(uri, file);
  const bytes = mutate(new Uint8Array(await readFile(target)));
  await unlink(target);
  await writeFile(target, bytes);
  return { uri, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const DV_SMALL_FILE = 'part-00000-fae5310a-a37d-4e51-827b-c3d5516560ca-c000.snappy.parquet';
/** XOR masks that make parquet-wasm trap (`unreachable`) on this file's data page (found with a seeded search). */
const TRAPPING_FLIPS: Array<[number, number]> = [[33, 109], [90, 125], [79, 164], [59, 252]];

async function rowCount(uri: string): Promise<number> {
  return (await (await DeltaTable.open(uri)).toArrow()).numRows;
}

test('a wasm trap on a corrupt page is CORRUPT_DATA naming the file; a concurrent scan, the next read and the table stay usable', async () => {
  const good = path.join(corpusRoot, 'tables', 'parquet-all-types');
  const expectedRows = await rowCount(good);
  const { uri, cleanup } = await damagedCopy('table-with-dv-small', DV_SMALL_FILE, (b) => {
    for (const [at, mask] of TRAPPING_FLIPS) b[at]! ^= mask;
    return b;
  });
  try {
    const before = wasmInstancesReplaced();
    const [bad, concurrent] = await Promise.allSettled([rowCount(uri), rowCount(good)]);
    assert.equal(bad.status, 'rejected');
    const err = (bad as PromiseRejectedResult).reason as DeltaError;
    assert.equal(err.code, 'CORRUPT_DATA');
    assert.match(err.message, new RegExp(`^${DV_SMALL_FILE.replace(/\./g, '\\.')}: cannot be decoded: parquet-wasm trapped: unreachable`));
    assert.equal(err.hint, 'the data file is damaged or is not Parquet; put back an intact copy from a backup or replica, or restore the table to a version that does not reference it');
    assert.equal(wasmInstancesReplaced(), before + 1, 'the trapped instance is replaced');
    assert.deepEqual(concurrent, { status: 'fulfilled', value: expectedRows });
    // The next reads use the new instance; the damaged table still opens and says the same.
    assert.equal(await rowCount(good), expectedRows);
    assert.equal(await rowCount(path.join(corpusRoot, 'tables', 'table-with-dv-small')), 8);
    const table = await DeltaTable.open(uri);
    assert.equal(table.version, 1);
    await assert.rejects(table.toArrow(), (e: unknown) => isDeltaError(e, 'CORRUPT_DATA') && e.message.startsWith(DV_SMALL_FILE));
  } finally {
    await cleanup();
  }
});

test('a data file that is not Parquet, or is cut short, is CORRUPT_DATA naming the file', async () => {
  const cases: Array<[string, (b: Uint8Array) => Uint8Array, RegExp]> = [
    ['text', () => new TextEncoder().encode('{"not": "parquet"}\n'), /: not a Parquet file: no PAR1 magic at the end$/],
    ['empty', () => new Uint8Array(0), /: not a Parquet file: 0 bytes$/],
    ['truncated', (b) => b.subarray(0, b.length - 100), /: not a Parquet file: no PAR1 magic at the end$/],
    ['bad footer length', (b) => { new DataView(b.buffer, b.byteOffset).setUint32(b.length - 8, 0x7fffffff, true); return b; }, /: corrupt Parquet footer length 2147483647 in a 635-byte file$/],
  ];
  for (const [what, mutate, message] of cases) {
    const { uri, cleanup } = await damagedCopy('table-with-dv-small', DV_SMALL_FILE, mutate);
    try {
      await assert.rejects((await DeltaTable.open(uri)).toArrow(), (e: unknown) => {
        assert.ok(isDeltaError(e, 'CORRUPT_DATA'), `${what}: ${String(e)}`);
        assert.ok(e.message.startsWith(`${DV_SMALL_FILE}: `), e.message);
        assert.match(e.message, message, what);
        return true;
      });
    } finally {
      await cleanup();
    }
  }
});
