import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Int64, Utf8, type RecordBatch } from 'apache-arrow';
import fc from 'fast-check';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { latestTableState } from '../../src/snapshot/latest-state.js';
import { loadSnapshot, loadTableState, snapshotAfterCommit, type Snapshot, type TableState } from '../../src/snapshot/snapshot.js';
import { readCommit } from '../../src/log/read-commit.js';
import { writeToStore } from '../../src/ops/write/write.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { batchOf, idBatch, tempDir } from '../support/temp.js';
import { tableIds } from '../support/read.js';

/** What a table state says, in a form deepEqual compares exactly. */
function facts(s: TableState): unknown {
  return {
    version: s.version,
    protocol: s.protocol,
    metadata: s.metadata,
    txns: [...s.txns.entries()].sort(),
    domains: [...s.domains.entries()].sort(),
    inCommitTimestamp: s.latestCommitInfo?.inCommitTimestamp,
    arrowSchema: s.arrowSchema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`),
  };
}

test('the remembered latest state equals a fresh replay after every commit, whoever made it (random histories)', { timeout: 180_000 }, async () => {
  type Step =
    | { kind: 'append'; appId: string | undefined }
    | { kind: 'other-append'; appId: string | undefined }
    | { kind: 'other-overwrite' }
    | { kind: 'other-new-column' }
    | { kind: 'other-property' }
    | { kind: 'read' };
  const step = fc.oneof(
    fc.record({ kind: fc.constant('append' as const), appId: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }) }),
    fc.record({ kind: fc.constant('other-append' as const), appId: fc.option(fc.constantFrom('a', 'c'), { nil: undefined }) }),
    fc.record({ kind: fc.constantFrom('other-overwrite' as const, 'other-new-column' as const, 'other-property' as const, 'read' as const) }),
  ) as fc.Arbitrary<Step>;
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
      const uri = await tempDir('dlts-latest-');
      const store = new LocalStore(uri);
      await writeDeltaTable(uri, idBatch([0]), { properties: { 'delta.checkpointInterval': '3' } });
      const txnVersion = new Map<string, number>();
      let columns = 0;
      let id = 1;
      for (const s of steps) {
        const app = 'appId' in s && s.appId ? { appId: s.appId, version: (txnVersion.get(s.appId) ?? -1) + 1 } : undefined;
        if (app) txnVersion.set(app.appId, app.version);
        const data = rowWithColumns(id++, columns, 'v');
        // "append" goes through writeDeltaTable (which uses and updates the remembered state);
        // "other" commits go around it, as another process would: the cache must notice them.
        if (s.kind === 'append') await writeDeltaTable(uri, data, { mode: 'append', ...(app ? { appTransaction: app } : {}) });
        else if (s.kind === 'other-append') await otherProcessCommit(uri, data, app);
        else if (s.kind === 'other-overwrite') await (await DeltaTable.open(uri)).delete("id > 3");
        else if (s.kind === 'other-property') await otherProcessCommit(uri, data, undefined, { 'delta.logRetentionDuration': `interval ${id} days` });
        else if (s.kind === 'other-new-column') {
          columns++;
          await otherProcessCommit(uri, rowWithColumns(id++, columns, 'w'), undefined, undefined, true);
        }
        assert.deepEqual(facts(await latestTableState(store)), facts(await loadTableState(store)), `after ${JSON.stringify(s)}`);
      }
    }),
    { numRuns: 25 },
  );
});

/** One row of idBatch's columns plus string columns c0..c<extra-1>. */
function rowWithColumns(id: number, extra: number, value: string): RecordBatch {
  return batchOf({
    id: { type: new Int64(), values: [BigInt(id)] },
    label: { type: new Utf8(), values: ['x'] },
    ...Object.fromEntries(Array.from({ length: extra }, (_, i) => [`c${i}`, { type: new Utf8(), values: [value] }])),
  });
}

/**
 * A commit by "another process": writeDeltaTable in overwrite mode with no predicate would
 * replace the data, so appends here go through a predicate-free path that never consults the
 * remembered state: a DeltaTable merge on a key that never matches inserts the rows.
 */
async function otherProcessCommit(
  uri: string, data: RecordBatch, app: { appId: string; version: number } | undefined,
  properties?: Record<string, string>, newColumns = false,
): Promise<void> {
  if (app || properties || newColumns) {
    // A fresh store object and a full snapshot load: the remembered state is not involved.
    const store = new LocalStore(uri);
    await writeToStore(store, await loadSnapshot(store), data, {
      mode: 'append',
      ...(app ? { appTransaction: app } : {}),
      ...(properties ? { properties } : {}),
      ...(newColumns ? { schemaMode: 'merge' as const } : {}),
    });
    return;
  }
  await (await DeltaTable.open(uri)).merge(data, { on: 'target.id = source.id AND 1 = 0' }).whenNotMatchedInsertAll().execute();
}

test('an append after the table was deleted and made again at the same place lands on the new table, not after the old version', async () => {
  const uri = await tempDir('dlts-latest-recreate-');
  for (let i = 0; i < 5; i++) await writeDeltaTable(uri, idBatch([i]), { mode: 'append' });
  assert.equal((await DeltaTable.open(uri)).version, 4);
  await rm(uri, { recursive: true, force: true });
  // A new table with two commits, written around the remembered state (its version 4 is gone).
  await writeDeltaTable(uri, idBatch([100]), {});
  const store = new LocalStore(uri);
  await writeToStore(store, await loadSnapshot(store), idBatch([101]), { mode: 'append' });
  const r = await writeDeltaTable(uri, idBatch([102]), { mode: 'append' });
  assert.equal(r.version, 2);
  assert.deepEqual(await tableIds(uri), [100, 101, 102]);
});

test('a commit by another writer that the remembered state has not seen is read before appending: its txn makes a replayed batch a skip', async () => {
  const uri = await tempDir('dlts-latest-txn-');
  await writeDeltaTable(uri, idBatch([0]), { mode: 'append', appTransaction: { appId: 'job', version: 0 } });
  const store = new LocalStore(uri);
  await writeToStore(store, await loadSnapshot(store), idBatch([1]), { mode: 'append', appTransaction: { appId: 'job', version: 1 } });
  const replay = await writeDeltaTable(uri, idBatch([1]), { mode: 'append', appTransaction: { appId: 'job', version: 1 } });
  assert.equal(replay.skipped, true);
  assert.equal(replay.version, 1);
  assert.deepEqual(await tableIds(uri), [0, 1]);
});

test('a protocol this library cannot read, committed by another engine, refuses the next append even from a remembered state', async () => {
  const uri = await tempDir('dlts-latest-protocol-');
  await writeDeltaTable(uri, idBatch([0]), { mode: 'append' });
  await writeDeltaTable(uri, idBatch([1]), { mode: 'append' });
  const commit = { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['someFutureFeature'], writerFeatures: ['someFutureFeature'] } };
  await writeFile(path.join(uri, '_delta_log', `${'2'.padStart(20, '0')}.json`), `{"commitInfo":{"operation":"UPGRADE"}}\n${JSON.stringify(commit)}\n`);
  await assert.rejects(writeDeltaTable(uri, idBatch([2]), { mode: 'append' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'UNSUPPORTED_FEATURE');
    assert.match(err.message, /someFutureFeature/);
    return true;
  });
  assert.equal(await new LocalStore(uri).head(`_delta_log/${'3'.padStart(20, '0')}.json`), undefined);
});

test('a snapshot carried forward commit by commit (snapshotAfterCommit) has exactly the files, txns and metadata of a fresh load (random histories)', { timeout: 180_000 }, async () => {
  type Op = 'append' | 'txn-append' | 'delete' | 'update' | 'optimize' | 'overwrite' | 'new-column';
  const op = fc.constantFrom<Op>('append', 'txn-append', 'delete', 'update', 'optimize', 'overwrite', 'new-column');
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), fc.boolean(), async (ops, dvs) => {
      const uri = await tempDir('dlts-carried-');
      const store = new LocalStore(uri);
      await writeDeltaTable(uri, idBatch([0, 1, 2]), { properties: { 'delta.checkpointInterval': '3', ...(dvs ? { 'delta.enableDeletionVectors': 'true' } : {}) } });
      let carried = await loadSnapshot(store);
      let id = 3;
      let txn = 0;
      let columns = 0;
      for (const o of ops) {
        const table = await DeltaTable.open(uri);
        if (o === 'append') await writeDeltaTable(uri, rowWithColumns(id++, columns, 'a'), { mode: 'append' });
        else if (o === 'txn-append') await writeDeltaTable(uri, rowWithColumns(id++, columns, 'a'), { mode: 'append', appTransaction: { appId: 'app', version: txn++ } });
        else if (o === 'delete') await table.delete(`id % 3 = ${id % 3}`);
        else if (o === 'update') await table.update({ predicate: 'id % 2 = 0', set: { label: "'u'" } });
        else if (o === 'optimize') await table.optimize();
        else if (o === 'overwrite') await writeDeltaTable(uri, rowWithColumns(id++, columns, 'o'), { mode: 'overwrite', predicate: [['id', '>=', 3]] });
        else await writeDeltaTable(uri, rowWithColumns(id++, ++columns, 'n'), { mode: 'append', schemaMode: 'merge' });
        const latest = await loadSnapshot(store);
        // Every commit in between is replayed onto the carried snapshot, one at a time.
        for (let v = carried.version + 1; v <= latest.version; v++) {
          carried = snapshotAfterCommit(carried, await readCommit(store, v), (await store.head(`_delta_log/${String(v).padStart(20, '0')}.json`))!);
        }
        const files = (s: Snapshot): string[] => s.files.map((f) => `${f.path}|${f.add.deletionVector ? JSON.stringify(f.add.deletionVector) : ''}|${f.add.size}`).sort();
        assert.equal(carried.version, latest.version);
        assert.deepEqual(files(carried), files(latest), `files after ${o}`);
        assert.deepEqual(facts(carried), facts(latest), `state after ${o}`);
      }
    }),
    { numRuns: 20 },
  );
});
