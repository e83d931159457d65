// `npm run demo`: one table for stream and batch, on local disk, in well under a minute.
//
//   generator --(streaming sink, exactly once)--> bronze_events
//   bronze_events --(streaming source + checkpoint)--> 10 s windows per device --(sink)--> gold_device_windows
//   meanwhile a batch job reads consistent snapshots of both, then time-travels and reports.
//
// The tables stay in ./demo-tables for the CLI (`npx deltalake history demo-tables/gold_device_windows`)
// or any Delta engine (Spark, delta-rs, DuckDB).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeltaTable, isDeltaError, type StreamWriteResult } from '../src/index.js';
import { eventAt, eventSchema, foldIntoGold, WINDOW_MS } from './device-windows.js';

const root = path.resolve('demo-tables');
const bronzeUri = path.join(root, 'bronze_events');
const goldUri = path.join(root, 'gold_device_windows');
const checkpoint = path.join(root, '_checkpoints', 'gold_device_windows');
const TOTAL_EVENTS = 8_000;
const EVENTS_PER_BATCH = 400;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const say = (who: string, text: string): void => console.log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s  [${who}] ${text}`);

await rm(root, { recursive: true, force: true });
console.log(`deltalake-ts demo: stream and batch on one table, in ${root}\n`);
await DeltaTable.create(bronzeUri, { schema: eventSchema, name: 'bronze_events', description: 'raw device events' });

// 1. The generator: rows trickle into the bronze table through the sink's Writable adapter,
//    which groups them into micro-batches and commits each with its batch id (a `txn` action).
async function* deviceEvents(): AsyncGenerator<Record<string, unknown>> {
  for (let seq = 0; seq < TOTAL_EVENTS; seq++) {
    if (seq % EVENTS_PER_BATCH === 0 && seq > 0) await sleep(250);
    yield eventAt(seq) as unknown as Record<string, unknown>;
  }
}
async function ingest(): Promise<void> {
  const sink = DeltaTable.writeStream(bronzeUri, { appId: 'device-generator' });
  const writable = sink.writable({ maxRows: EVENTS_PER_BATCH, maxDelayMs: 500, schema: eventSchema });
  writable.on('batch', (r: StreamWriteResult) => {
    if (r.batchId % 4 === 0) say('ingest', `micro-batch ${r.batchId} -> bronze v${r.version} (${r.rowsWritten} events)`);
  });
  await pipeline(Readable.from(deviceEvents()), writable);
  const last = await sink.lastBatchId();
  // A producer that crashed after committing would resend its last batch: the table skips it.
  const replay = await sink.write(last, []);
  say('ingest', `done: ${TOTAL_EVENTS} events in ${last + 1} micro-batches; resending batch ${last} is skipped: ${replay.skipped}`);
}

// 2. The streaming job: bronze's new commits -> 10-second windows per device -> gold, exactly once.
//    It is stopped after a few batches and restarted from its checkpoint, as after a crash.
let consumedThrough = -1; // bronze versions below this are folded into gold
const stop = new AbortController();
async function aggregate(maxBatches: number): Promise<number> {
  const gold = DeltaTable.writeStream(goldUri, { appId: 'gold-aggregator', outputMode: 'complete' });
  const reader = DeltaTable.readStream(bronzeUri, { checkpointLocation: checkpoint, pollIntervalMs: 200, signal: stop.signal });
  let n = 0;
  for await (const batch of reader) {
    const out = await foldIntoGold(goldUri, gold, batch);
    await reader.commit(batch);
    consumedThrough = batch.endOffset.reservoirVersion;
    say('stream', `batch ${batch.batchId}: bronze v${batch.firstVersion}..v${batch.lastVersion}, ${batch.data.numRows} events -> gold v${out.version} (${out.windows} windows)`);
    if (++n === maxBatches) break;
  }
  return n;
}

// 3. The batch job: consistent snapshots of both tables while they are being written.
async function batchReports(): Promise<void> {
  while (!stop.signal.aborted) {
    await sleep(1000);
    const bronze = await DeltaTable.open(bronzeUri);
    const events = (await bronze.toArrow({ columns: ['seq'] })).numRows;
    const gold = await DeltaTable.open(goldUri).catch((err: unknown) => (isDeltaError(err, 'TABLE_NOT_FOUND') ? undefined : Promise.reject(err)));
    const counted = gold ? [...(await gold.toArrow({ columns: ['events'] })).getChild('events')!].reduce((a: number, b) => a + Number(b), 0) : 0;
    say('batch', `snapshot: bronze v${bronze.version} holds ${events} events; gold v${gold?.version ?? '-'} has counted ${counted} of them`);
  }
}

const ingestion = ingest();
const reports = batchReports();
const first = await aggregate(4);
say('stream', `stopped after ${first} batches; restarting from ${path.relative(process.cwd(), checkpoint)}`);
const restarted = aggregate(Infinity);
await ingestion;
const finalVersion = (await DeltaTable.open(bronzeUri)).version;
while (consumedThrough <= finalVersion) await sleep(50);
stop.abort();
await restarted;
await reports;

// 4. The report: exactly once, time travel, history, vacuum.
const bronze = await DeltaTable.open(bronzeUri);
const gold = await DeltaTable.open(goldUri);
const goldRows = (await gold.toArrow()).toArray();
const counted = goldRows.reduce((a, r) => a + Number(r.events), 0);
console.log(`\nbronze v${bronze.version}: ${(await bronze.toArrow({ columns: ['seq'] })).numRows} events; gold v${gold.version}: ${goldRows.length} windows counting ${counted} events`);
console.log(`exactly once: ${counted === TOTAL_EVENTS ? 'yes' : 'NO'} (${TOTAL_EVENTS} events sent)`);
const hottest = [...goldRows].sort((a, b) => b.avg_temperature - a.avg_temperature).slice(0, 3);
console.log('hottest windows:');
for (const r of hottest) {
  console.log(`  ${r.device}  ${new Date(Number(r.window_start)).toISOString().slice(11, 19)}+${WINDOW_MS / 1000}s  avg ${r.avg_temperature.toFixed(2)} C over ${Number(r.events)} events`);
}
const earlier = await DeltaTable.open(goldUri, { version: 3 });
const earlierCount = [...(await earlier.toArrow({ columns: ['events'] })).getChild('events')!].reduce((a: number, b) => a + Number(b), 0);
console.log(`time travel: gold at version 3 had counted ${earlierCount} events; bronze at version 3 held ${(await (await DeltaTable.open(bronzeUri, { version: 3 })).toArrow({ columns: ['seq'] })).numRows}`);
for (const t of [bronze, gold]) {
  console.log(`\nhistory of ${path.basename(t.uri)} (newest first):`);
  for (const h of await t.history({ limit: 3 })) console.log(`  v${h.version}  ${new Date(h.timestamp).toISOString()}  ${h.operation}`);
}
const dry = await gold.vacuum({ retentionHours: 0, enforceRetention: false, dryRun: true });
console.log(`\nvacuum dry run on gold (retention 0 h): ${dry.files.length} files (${dry.bytes} bytes) replaced by later batches could be deleted; nothing was deleted`);
console.log(`\ntables are in ${root}; try: npx deltalake history ${path.relative(process.cwd(), goldUri)}`);
