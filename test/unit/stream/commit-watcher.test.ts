import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommitWatcher } from '../../../src/stream/commit-watcher.js';

/** How long one wait() takes, in ms. */
async function timed(w: CommitWatcher): Promise<number> {
  const t0 = performance.now();
  await w.wait();
  return performance.now() - t0;
}

describe('waiting for the next commit', () => {
  test('polling backs off from 25 ms, doubling up to pollIntervalMs, and starts short again after a commit', async () => {
    const w = new CommitWatcher(200, undefined, undefined);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) waits.push(await timed(w));
    // Timers never fire early (1 ms slack for rounding); late firing is tolerated.
    for (const [i, expected] of [25, 50, 100, 200, 200, 200].entries()) {
      assert.ok(waits[i]! >= expected - 1, `wait ${i} took ${waits[i]!.toFixed(1)} ms, expected ${expected}`);
    }
    assert.ok(waits[0]! < 150, `the first wait is short (${waits[0]!.toFixed(1)} ms)`);
    w.resetBackoff();
    const again = await timed(w);
    assert.ok(again >= 24 && again < 150, `after a commit the wait is short again (${again.toFixed(1)} ms)`);
    w.close();
  });

  test('an abort that fired before wait() was called (while the log was being read) ends the wait at once', async () => {
    const ac = new AbortController();
    const w = new CommitWatcher(60_000, ac.signal, undefined);
    for (let i = 0; i < 5; i++) await w.wait(); // idle for a while: the next wait would be 800 ms
    ac.abort();
    const ms = await timed(w);
    assert.ok(ms < 50, `waited ${ms.toFixed(1)} ms with an already aborted signal`);
  });
});
