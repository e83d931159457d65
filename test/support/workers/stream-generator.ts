// A separate OS process that sends device events into the bronze table through the streaming
// sink's Writable adapter, `perBatch` events per micro-batch. Restarted after a crash, it resumes
// at the batch after the table's last one for its appId, so every event lands exactly once.
//   node stream-generator.js <bronzeUri> <totalEvents> <perBatch> <devices> <sleepMsBetweenBatches> <seed>
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeltaTable, type StreamWriteResult } from '../../../src/index.js';
import { eventAt, eventSchema } from '../../../examples/device-windows.js';

const [uri, totalArg, perArg, devicesArg, sleepArg, seedArg] = process.argv.slice(2);
const total = Number(totalArg);
const perBatch = Number(perArg);
const sleepMs = Number(sleepArg);
const sink = DeltaTable.writeStream(uri!, { appId: 'generator' });
const firstBatch = (await sink.lastBatchId()) + 1;

async function* events(): AsyncGenerator<Record<string, unknown>> {
  for (let seq = firstBatch * perBatch; seq < total; seq++) {
    if (seq % perBatch === 0 && sleepMs > 0) await new Promise((r) => setTimeout(r, sleepMs));
    yield eventAt(seq, Number(devicesArg), Number(seedArg ?? 0)) as unknown as Record<string, unknown>;
  }
}
const writable = sink.writable({ maxRows: perBatch, maxDelayMs: 3_600_000, schema: eventSchema });
writable.on('batch', (r: StreamWriteResult) => process.stdout.write(`batch ${r.batchId} v${r.version}\n`));
await pipeline(Readable.from(events()), writable);
process.stdout.write('done\n');
