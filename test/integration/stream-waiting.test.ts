import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DeltaTable, writeDeltaTable, type ReadStreamOptions } from '../../src/index.js';
import { idBatch, tempDir } from '../support/temp.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function tableWith(ids: number[]): Promise<string> {
  const uri = path.join(await tempDir('dlts-wait-'), 't');
  await writeDeltaTable(uri, idBatch(ids), { mode: 'append' });
  return uri;
}

/**
 * Streams `uri` from its snapshot, idles `idleMs` after the first batch, then appends one commit
 * and returns how long after the append its batch arrived.
 */
async function deliveryAfterIdle(uri: string, idleMs: number, opts: ReadStreamOptions): Promise<number> {
  const ac = new AbortController();
  let appendedAt = 0;
  let deliveredAfter = -1;
  for await (const b of DeltaTable.readStream(uri, { ...opts, signal: ac.signal })) {
    if (b.batchId === 0) {
      // The reader idles meanwhile, so its backoff grows.
      void (async () => {
        await sleep(idleMs);
        appendedAt = performance.now();
        await writeDeltaTable(uri, idBatch([99]), { mode: 'append' });
      })();
      continue;
    }
    deliveredAfter = performance.now() - appendedAt;
    ac.abort();
  }
  return deliveredAfter;
}

describe('a streaming source waiting for commits', () => {
  test('an AbortSignal ends an idle stream at once, however long pollIntervalMs is', async () => {
    const uri = await tableWith([1]);
    const figures: string[] = [];
    for (const fileNotifications of [true, false]) {
      for (const idleMs of [0, 300, 1500]) {
        const ac = new AbortController();
        let abortedAt = 0;
        let batches = 0;
        for await (const _ of DeltaTable.readStream(uri, { signal: ac.signal, pollIntervalMs: 60_000, fileNotifications })) {
          batches++;
          setTimeout(() => {
            abortedAt = performance.now();
            ac.abort();
          }, idleMs);
        }
        const endedAfter = performance.now() - abortedAt;
        assert.equal(batches, 1);
        figures.push(`${endedAfter.toFixed(1)} ms`);
        // 60 s of polling would be the alternative; on a busy 2-core machine allow scheduling noise.
        assert.ok(endedAfter < 500, `ended ${endedAfter.toFixed(1)} ms after the abort (notifications ${fileNotifications}, idle ${idleMs} ms)`);
      }
    }
    console.log(`abort -> end of iteration: ${figures.join(', ')}`);
  });

  test('an abort while a batch is being processed ends the stream before the next one', async () => {
    const uri = await tableWith([1]);
    await writeDeltaTable(uri, idBatch([2]), { mode: 'append' });
    const ac = new AbortController();
    const seen: number[] = [];
    for await (const b of DeltaTable.readStream(uri, { startingVersion: 0, maxFilesPerTrigger: 1, signal: ac.signal })) {
      seen.push(b.batchId);
      ac.abort(); // batch 1 is available, but the stream stops
    }
    assert.deepEqual(seen, [0]);
  });

  test('on local disk a file notification delivers a commit long before the next poll would', async () => {
    // After 2 s idle the backoff is inside a 1.6 s wait: without a notification the commit
    // would wait over a second for it.
    const ms = await deliveryAfterIdle(await tableWith([1]), 2000, { pollIntervalMs: 60_000 });
    console.log(`commit -> delivery after 2 s idle, notifications: ${ms.toFixed(1)} ms`);
    assert.ok(ms >= 0 && ms < 500, `delivered ${ms.toFixed(1)} ms after the commit`);
  });

  test('without notifications, polling never waits longer than pollIntervalMs', async () => {
    // Uncapped, the backoff after 2 s idle would be in a 1.6 s wait.
    const ms = await deliveryAfterIdle(await tableWith([1]), 2000, { pollIntervalMs: 50, fileNotifications: false });
    console.log(`commit -> delivery after 2 s idle, polling every 50 ms: ${ms.toFixed(1)} ms`);
    assert.ok(ms >= 0 && ms < 600, `delivered ${ms.toFixed(1)} ms after the commit`);
  });
});
