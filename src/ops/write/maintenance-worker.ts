import { parentPort } from 'node:worker_threads';
import { LocalStore } from '../../storage/local-store.js';
import type { MaintenanceJob, MaintenanceReply } from './background-maintenance.js';
import { maintainTable } from './table-maintenance.js';

// The worker thread of background-maintenance.ts: runs table maintenance jobs one at a time.
// A job still queued when a newer one for the same table arrives is answered at once, unrun.

const queue: MaintenanceJob[] = [];
let running = false;

parentPort!.on('message', (job: MaintenanceJob) => {
  queue.push(job);
  if (!running) void runQueue();
});

async function runQueue(): Promise<void> {
  running = true;
  while (queue.length > 0) {
    const job = queue.shift()!;
    if (queue.some((later) => later.root === job.root)) {
      reply({ id: job.id, warnings: [] });
      continue;
    }
    reply({ id: job.id, warnings: await maintainTable(new LocalStore(job.root), job.version, job.configuration) });
  }
  running = false;
}

function reply(r: MaintenanceReply): void {
  parentPort!.postMessage(r);
}
