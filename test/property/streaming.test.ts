import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable, writeDeltaTable, type StreamBatch } from '../../src/index.js';
import { addEvent, eventAt, eventSchema, sortedWindows, windowsOf, type WindowRow } from '../../examples/device-windows.js';
import { startWorker, type WorkerRun } from '../support/processes.js';
import { idBatch, tempDir } from '../support/temp.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const CRASH_RUNS = Number(process.env.STREAM_CRASH_RUNS ?? 15);

interface Plan {
  total: number;
  perBatch: number;
  devices: number;
  maxFiles: number;
  generatorSleepMs: number;
  /** Scrambles devices, temperatures and event times (0: the demo's orderly events). */
  seed: number;
  /** Each crash waits until the watched process (the aggregator, or the generator alone) committed `afterBatches` more batches, then `extraMs`, to land anywhere inside a batch. */
  crashes: Array<{ who: 'generator' | 'aggregator' | 'both'; afterBatches: number; extraMs: number }>;
}

/** Resolves once `run` has printed `n` batch lines, or has exited. */
async function batchesPrinted(run: WorkerRun, n: number): Promise<void> {
  let exited = false;
  void run.done.then(() => (exited = true));
  while (!exited && run.lines.filter((l) => l.startsWith('batch ')).length < n) await sleep(2);
}

/** SIGKILLs `run`; true when it was still running (not already finished). */
async function kill(run: WorkerRun): Promise<boolean> {
  run.child.kill('SIGKILL');
  return (await run.done).signal === 'SIGKILL';
}

/**
 * Checks the aggregator's journal over all its runs (see the worker): each run resumes exactly
 * after the last batch committed in the checkpoint location, at that batch's end offset; batch
 * ids within a run are consecutive and each batch starts where the one before ended; a batch id
 * delivered again (planned before a crash, not committed) has exactly its first range; and
 * committed progress never goes backwards. Returns how many runs resumed mid-stream.
 */
function checkJournal(text: string): number {
  const ranges = new Map<number, { start: string; end: string }>();
  let durable = -1; // highest batch id whose reader.commit() returned
  let previous: { id: number; end: string } | undefined;
  let resumedAt: number | undefined;
  let resumes = 0;
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const [kind, idText, start, end] = line.split(' ') as [string, string, string | undefined, string | undefined];
    const id = Number(idText);
    if (kind === 'run') {
      assert.ok(id >= durable, `a run started with batch ${id} committed, but batch ${durable} had been committed`);
      durable = id;
      resumedAt = id;
      previous = undefined;
    } else if (kind === 'commit') {
      assert.equal(id, previous?.id, `commit of batch ${id} follows its delivery`);
      durable = id;
    } else {
      const prior = ranges.get(id);
      if (prior) assert.deepEqual({ start, end }, prior, `batch ${id} delivered again with another range`);
      ranges.set(id, { start: start!, end: end! });
      if (previous === undefined) {
        assert.equal(id, resumedAt! + 1, `a run resumed at batch ${id}, but the checkpoint had batch ${resumedAt} committed`);
        if (id > 0) {
          assert.equal(start, ranges.get(id - 1)?.end, `batch ${id} starts at the end offset of the last committed batch`);
          resumes++;
        }
      } else {
        assert.equal(id, previous.id + 1);
        assert.equal(start, previous.end, `batch ${id} starts where batch ${previous.id} ended`);
      }
      previous = { id, end: end! };
    }
  }
  return resumes;
}

async function finish(run: WorkerRun, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 120_000)));
  const r = await Promise.race([run.done, timeout]);
  clearTimeout(timer);
  if (r === 'timeout') {
    run.child.kill('SIGKILL');
    assert.fail(`${name} did not finish; last lines: ${run.lines.slice(-5).join(' | ')}`);
  }
  assert.equal(r.code, 0, `${name} exited ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
}

test('streaming bronze -> gold with SIGKILL crashes of the source, the sink or both: bronze holds every event once and gold equals their aggregation exactly once', { timeout: 900_000 }, async () => {
  let runs = 0;
  let kills = 0;
  let resumes = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        total: fc.integer({ min: 20, max: 300 }),
        perBatch: fc.integer({ min: 5, max: 60 }),
        devices: fc.integer({ min: 1, max: 6 }),
        maxFiles: fc.integer({ min: 1, max: 4 }),
        generatorSleepMs: fc.integer({ min: 0, max: 15 }),
        seed: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 31 - 1 })),
        crashes: fc.array(fc.record({
          who: fc.constantFrom('generator' as const, 'aggregator' as const, 'both' as const),
          afterBatches: fc.nat(6),
          extraMs: fc.nat(40),
        }), { minLength: 1, maxLength: 3 }),
      }),
      async (plan: Plan) => {
        const dir = await tempDir('dlts-stream-prop-');
        const bronze = path.join(dir, 'bronze');
        const gold = path.join(dir, 'gold');
        const cp = path.join(dir, 'cp');
        const journal = path.join(dir, 'aggregator.journal');
        await DeltaTable.create(bronze, { schema: eventSchema });
        const startGenerator = (): WorkerRun => startWorker('stream-generator', [bronze, String(plan.total), String(plan.perBatch), String(plan.devices), String(plan.generatorSleepMs), String(plan.seed)]);
        const startAggregator = (): WorkerRun => startWorker('stream-aggregator', [bronze, gold, cp, String(plan.total), String(plan.maxFiles), journal]);
        let generator = startGenerator();
        let aggregator = startAggregator();
        for (const crash of plan.crashes) {
          await batchesPrinted(crash.who === 'generator' ? generator : aggregator, crash.afterBatches);
          await sleep(crash.extraMs);
          if (crash.who !== 'aggregator') {
            if (await kill(generator)) kills++;
            generator = startGenerator();
          }
          if (crash.who !== 'generator') {
            if (await kill(aggregator)) kills++;
            aggregator = startAggregator();
          }
        }
        await finish(generator, 'generator');
        await finish(aggregator, 'aggregator');

        const seqs = [...(await (await DeltaTable.open(bronze)).toArrow({ columns: ['seq'] })).getChild('seq')!].map(Number).sort((a, b) => a - b);
        assert.deepEqual(seqs, Array.from({ length: plan.total }, (_, i) => i), 'bronze holds every event exactly once');
        const expected = new Map<string, WindowRow>();
        for (let seq = 0; seq < plan.total; seq++) {
          const e = eventAt(seq, plan.devices, plan.seed);
          addEvent(expected, e.device, e.ts, e.temperature);
        }
        const actual = windowsOf(await (await DeltaTable.open(gold)).toArrow());
        assert.deepEqual(sortedWindows(actual), sortedWindows(expected), 'gold equals the aggregation of every event, once');
        resumes += checkJournal(await readFile(journal, 'utf8'));
        runs++;
      },
    ),
    { numRuns: CRASH_RUNS },
  );
  assert.equal(runs, CRASH_RUNS);
  console.log(`streaming crash property: ${runs} runs, ${kills} processes killed with SIGKILL mid-run, ${resumes} aggregator restarts resumed mid-stream exactly after the last committed offset`);
});

test('a source restarted from its checkpoint delivers exactly the versions after its last committed offset, and no batch exceeds maxFilesPerTrigger', { timeout: 300_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 8 }), // files per commit
      fc.integer({ min: 1, max: 5 }), // maxFilesPerTrigger
      fc.boolean(), // initial snapshot first, or from version 0
      fc.array(fc.record({ commit: fc.nat(4), extra: fc.nat(2), grow: fc.boolean() }), { minLength: 1, maxLength: 4 }), // per run: batches committed, then delivered uncommitted; whether the table grows after
      async (filesPerCommit, k, initial, restarts) => {
        const dir = await tempDir('dlts-resume-');
        const uri = path.join(dir, 't');
        let nextId = 0;
        const addCommit = async (files: number): Promise<void> => {
          const batches = Array.from({ length: files }, () => idBatch([nextId++]));
          await writeDeltaTable(uri, batches, { mode: 'append', targetFileSizeBytes: 1 });
        };
        for (const f of filesPerCommit) await addCommit(f);
        const cp = path.join(dir, 'cp');
        const opts = { checkpointLocation: cp, maxFilesPerTrigger: k, availableNow: true, ...(initial ? {} : { startingVersion: 0 }) };
        const committedIds: number[] = [];
        let lastCommitted: StreamBatch | undefined;
        let uncommitted: StreamBatch[] = [];
        for (const r of [...restarts, { commit: 1000, extra: 0, grow: false }]) {
          const reader = DeltaTable.readStream(uri, opts);
          const got: StreamBatch[] = [];
          for await (const b of reader) {
            assert.ok(b.numFiles <= k, `batch ${b.batchId} has ${b.numFiles} files > ${k}`);
            got.push(b);
            if (got.length <= r.commit) await reader.commit(b);
            else if (got.length >= r.commit + r.extra) break;
          }
          // Replays first: the previous run's uncommitted batches, same ids and ranges.
          for (let i = 0; i < Math.min(uncommitted.length, got.length); i++) {
            assert.deepEqual([got[i]!.batchId, got[i]!.startOffset, got[i]!.endOffset], [uncommitted[i]!.batchId, uncommitted[i]!.startOffset, uncommitted[i]!.endOffset]);
          }
          if (got[0] && lastCommitted) assert.deepEqual(got[0].startOffset, lastCommitted.endOffset, 'resumes right after the last committed offset');
          const committedNow = got.slice(0, Math.min(r.commit, got.length));
          for (const b of committedNow) committedIds.push(...[...b.data.getChild('id')!].map(Number));
          lastCommitted = committedNow.at(-1) ?? lastCommitted;
          uncommitted = got.slice(committedNow.length);
          if (r.grow) await addCommit(1 + (nextId % 3)); // the table moves on between runs
        }
        const all = Array.from({ length: nextId }, (_, i) => i);
        assert.deepEqual([...committedIds].sort((a, b) => a - b), all, 'every row committed exactly once');
      },
    ),
    { numRuns: Number(process.env.STREAM_RUNS ?? 40) },
  );
});
