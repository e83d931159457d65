import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { loadSnapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { idBatch, tempDir } from '../support/temp.js';

test('a snapshot loaded without tombstones has the same files, and refuses to say it has no tombstones', async () => {
  const uri = path.join(await tempDir('dlts-notomb-'), 't');
  for (let i = 0; i < 6; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  const table = await DeltaTable.open(uri);
  await table.optimize(); // removes six files: tombstones
  for (let i = 6; i < 9; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  await (await DeltaTable.open(uri)).checkpoint(); // the tombstones now sit in the checkpoint's remove column
  await writeDeltaTable(uri, idBatch([9]), { mode: 'append' });

  const store = new LocalStore(uri);
  const full = await loadSnapshot(store);
  const lean = await loadSnapshot(store, { tombstones: false });
  assert.equal(full.tombstones.length, 6);
  assert.equal(lean.version, full.version);
  assert.deepEqual(lean.files.map((f) => f.path).sort(), full.files.map((f) => f.path).sort());
  assert.equal(lean.files.length, 5);
  assert.throws(() => lean.tombstones, /loaded without its tombstones/);
});

test('a table opens without its tombstones, and its vacuum reads them at its own version: files inside retention are kept', async () => {
  const uri = path.join(await tempDir('dlts-notomb-vacuum-'), 't');
  for (let i = 0; i < 4; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  const before = await DeltaTable.open(uri);
  await before.optimize(); // four tombstones, deleted just now
  await (await DeltaTable.open(uri)).checkpoint();
  const table = await DeltaTable.open(uri);
  assert.equal(table.snapshot.hasTombstones, false);
  // Just removed: inside any retention, so a vacuum at 1 hour keeps them; at 0 hours they go.
  const kept = await table.vacuum({ retentionHours: 1, enforceRetention: false, dryRun: true });
  assert.deepEqual(kept.files, []);
  const now = Date.now() + 2 * 3_600_000;
  const gone = await table.vacuum({ retentionHours: 1, enforceRetention: false, dryRun: true, now: () => now });
  assert.deepEqual(gone.files.map((f) => path.basename(f)).sort(), before.snapshot.files.map((f) => path.basename(f.path)).sort());
});
