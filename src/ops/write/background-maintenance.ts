import { Worker } from 'node:worker_threads';
import type { Version } from '../../protocol/actions.js';

/**
 * Checkpoints of local tables written on a worker thread, for writers that commit many times a
 * second (the stream sink). A checkpoint re-encodes every live file's row: at 1,000 files it
 * was a third of a 100-row micro-batch's time on one thread. On the worker it runs beside the
 * next batches, on the machine's other core.
 *
 * One worker per process, made at the first job. Jobs run one at a time in the order given; a
 * job still waiting when a newer one for the same table arrives is dropped (the newer
 * checkpoint covers it). While jobs are pending the worker keeps the process alive, so a
 * script that ends without waiting still gets its checkpoints; when idle it does not.
 * The worker keeps its own checkpoint in memory (checkpoint-carry.ts) for its next one, and its
 * own parquet-wasm instance: idle for a minute, it is ended, which gives that memory back (a
 * sink that checkpoints less often than that pays a worker start, off its thread, instead).
 *
 * Resolves with the job's warnings, or 'unavailable' when no worker could run it (the worker
 * died, or cannot start where this code was bundled without its worker file): the caller then
 * does the work itself. After MAX_WORKER_FAILURES, every job is answered 'unavailable' at once.
 */
export function maintainInBackground(root: string, version: Version, configuration: Record<string, string>): Promise<string[] | 'unavailable'> {
  if (workerFailures >= MAX_WORKER_FAILURES) return Promise.resolve('unavailable');
  const w = (worker ??= startWorker());
  clearTimeout(idleTimer);
  if (waiting.size === 0) w.ref();
  const id = nextJobId++;
  return new Promise<string[] | 'unavailable'>((resolve) => {
    waiting.set(id, resolve);
    w.postMessage({ id, root, version, configuration } satisfies MaintenanceJob);
  });
}

/** How many jobs the worker has finished in this process (for tests and diagnostics). */
export function backgroundJobsDone(): number {
  return jobsDone;
}

export interface MaintenanceJob {
  id: number;
  root: string;
  version: Version;
  configuration: Record<string, string>;
}

export interface MaintenanceReply {
  id: number;
  /** DeltaCheckpointWarning texts; empty when all went well (or the job was superseded). */
  warnings: string[];
}

let worker: Worker | undefined;
let nextJobId = 0;
let jobsDone = 0;
let workerFailures = 0;
const MAX_WORKER_FAILURES = 3;
let idleMs = 60_000;
let idleTimer: NodeJS.Timeout | undefined;
const waiting = new Map<number, (outcome: string[] | 'unavailable') => void>();

function startWorker(): Worker {
  const w = new Worker(new URL('./maintenance-worker.js', import.meta.url));
  w.on('message', (reply: MaintenanceReply) => {
    jobsDone++;
    settle(reply.id, reply.warnings);
    if (waiting.size > 0) return;
    w.unref();
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => endIdleWorker(w), idleMs).unref();
  });
  // A worker that dies (out of memory, a crash in wasm) hands its jobs back; the next job
  // starts a new worker.
  const fail = (): void => {
    if (worker !== w) return;
    worker = undefined;
    workerFailures++;
    for (const id of [...waiting.keys()]) settle(id, 'unavailable');
  };
  w.on('error', fail);
  w.on('exit', fail);
  w.unref(); // after the listeners: adding a 'message' listener refs the worker's port again
  return w;
}

/** Ends a worker with no jobs; not a failure: the next job starts a new one. */
function endIdleWorker(w: Worker): void {
  if (worker !== w || waiting.size > 0) return;
  worker = undefined;
  void w.terminate();
}

function settle(id: number, outcome: string[] | 'unavailable'): void {
  const resolve = waiting.get(id);
  waiting.delete(id);
  resolve?.(outcome);
}

/** Whether a worker thread is alive now (for tests and diagnostics). */
export function backgroundWorkerRunning(): boolean {
  return worker !== undefined;
}

/** How long an idle worker lives (tests of its end). @internal */
export function setBackgroundIdleMsForTest(ms: number): void {
  idleMs = ms;
}

/** Ends the worker as a crash would, handing its jobs back (tests of that path). @internal */
export async function crashBackgroundWorkerForTest(): Promise<void> {
  await worker?.terminate();
}
