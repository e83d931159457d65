import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { startWorker } from '../support/processes.js';
import { idBatch, tempDir } from '../support/temp.js';

// A transaction that loses a race reads every commit up to the newest before it tries again.
// Stepping one version per attempt, with a pause each, never caught up with a writer that
// commits every few milliseconds: a vacuum beside such an appender retried for minutes.

test('commits beside a process appending as fast as it can land in a few attempts, and every acknowledged append stays', { timeout: 120_000 }, async () => {
  const uri = await tempDir('dlts-catchup-');
  await writeDeltaTable(uri, idBatch([-1]));
  const appender = startWorker('append-worker', [uri, '1', '1000000']);
  try {
    while (appender.lines.length < 30 && appender.child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    const attempts: number[] = [];
    for (let i = 0; i < 15; i++) {
      const r = await writeDeltaTable(uri, idBatch([-1000 - i]), { mode: 'append' });
      attempts.push(r.attempts);
      // A non-append commit too (VACUUM START/END), as the maintenance worker makes.
      await (await DeltaTable.open(uri)).vacuum({ retentionHours: 1, enforceRetention: false });
    }
    assert.ok(appender.child.exitCode === null, `the appender stopped: ${appender.lines.slice(-3).join(' | ')}`);
    assert.ok(Math.max(...attempts) <= 8, `attempts per append beside the fast appender: ${attempts.join(', ')}`);
  } finally {
    appender.child.kill('SIGKILL');
    await appender.done;
  }
  const table = await DeltaTable.open(uri);
  const ids = new Set([...(await table.toArrow({ columns: ['id'] })).getChild('id')!].map(Number));
  for (const line of appender.lines.filter((l) => l.startsWith('ack '))) assert.ok(ids.has(Number(line.split(' ')[1])), `acknowledged ${line} is in the table`);
  for (let i = 0; i < 15; i++) assert.ok(ids.has(-1000 - i));
});
