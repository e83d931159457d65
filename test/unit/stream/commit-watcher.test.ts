import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, mock, test } from 'node:test';
import { CommitWatcher } from '../../../src/stream/commit-watcher.js';

// setTimeout is mocked: time moves only when the test ticks it, so each wait's length is exact,
// whatever the machine's load. setImmediate stays real, to let settled promises run.

/** Starts a wait and returns whether it has ended, checked after letting callbacks run. */
function startWait(w: CommitWatcher): () => Promise<boolean> {
  let ended = false;
  void w.wait().then(() => { ended = true; });
  return async () => {
    await turn();
    return ended;
  };
}

/** The number of ms the wait took: it must not end one ms earlier, and must end at exactly that ms. */
async function assertWaitLasts(w: CommitWatcher, ms: number, label: string): Promise<void> {
  const ended = startWait(w);
  mock.timers.tick(ms - 1);
  assert.equal(await ended(), false, `${label}: still waiting after ${ms - 1} ms`);
  mock.timers.tick(1);
  assert.equal(await ended(), true, `${label}: done after ${ms} ms`);
}

describe('waiting for the next commit', () => {
  test('polling backs off from 25 ms, doubling up to pollIntervalMs, and starts at 25 ms again after a commit', async (t) => {
    mock.timers.enable({ apis: ['setTimeout'] });
    t.after(() => mock.timers.reset());
    const w = new CommitWatcher(200, undefined, undefined);
    for (const [i, ms] of [25, 50, 100, 200, 200].entries()) await assertWaitLasts(w, ms, `wait ${i}`);
    w.resetBackoff();
    await assertWaitLasts(w, 25, 'the wait after a commit');
    w.close();
  });

  test('an abort that fired before wait() was called (while the log was being read) ends the wait at once', async (t) => {
    mock.timers.enable({ apis: ['setTimeout'] });
    t.after(() => mock.timers.reset());
    const ac = new AbortController();
    const w = new CommitWatcher(60_000, ac.signal, undefined);
    for (const ms of [25, 50, 100, 200, 400]) await assertWaitLasts(w, ms, 'idle wait'); // the next would be 800 ms
    ac.abort();
    const ended = startWait(w);
    assert.equal(await ended(), true, 'an already aborted signal ends the wait without any time passing');
  });

  test('an abort during a wait ends it at once, and close() ends a pending wait', async (t) => {
    mock.timers.enable({ apis: ['setTimeout'] });
    t.after(() => mock.timers.reset());
    const ac = new AbortController();
    const w = new CommitWatcher(60_000, ac.signal, undefined);
    const first = startWait(w);
    mock.timers.tick(10);
    ac.abort();
    assert.equal(await first(), true, 'the abort ended the wait 10 ms into 25');
    const other = new CommitWatcher(60_000, undefined, undefined);
    const second = startWait(other);
    other.close();
    assert.equal(await second(), true, 'close() ended the wait');
  });
});
