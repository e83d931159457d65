import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaError, DeltaTable } from '../../src/index.js';
import { writeToStore } from '../../src/ops/write/write.js';
import type { Action } from '../../src/protocol/actions.js';
import { loadSnapshot, type Snapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { S3Store } from '../../src/storage/s3-store.js';
import { parseTableUri, type StorageOptions } from '../../src/storage/store-for-url.js';
import { freshS3Uri, s3Options, s3TestOptions } from '../support/s3.js';
import { writeDeltaTable } from '../../src/index.js';
import { scheduledStore, faultyStore } from '../support/store-wrappers.js';
import { tempDir } from '../support/temp.js';
import { changesTable, checkConflictJustified, INITIAL, opArb, operationOf, rows, runOp, serialModel } from '../support/concurrent-ops.js';

/** A fresh table location: its URI, options to open it, and the raw store under it. */
interface Location {
  uri: string;
  storage: StorageOptions;
  base: ObjectStore;
}

async function localLocation(): Promise<Location> {
  const uri = await tempDir('dlts-sched-');
  return { uri, storage: {}, base: new LocalStore(uri) };
}

async function s3Location(): Promise<Location> {
  const uri = freshS3Uri();
  const loc = parseTableUri(uri) as { bucket: string; prefix: string };
  return { uri, storage: s3Options(), base: new S3Store(loc.bucket, loc.prefix, s3Options()) };
}

function concurrentWritersProperty(name: string, fresh: () => Promise<Location>, numRuns: number, opts: { skip?: string; timeout?: number } = {}): void {
  test(`concurrent writers (${name}): appends, overwrites, DELETE, UPDATE and MERGE — the final table equals a serial run in commit order (no lost or doubled row), versions contiguous, blind appends never conflict, each conflict names a winning version that justifies it (Serializable)`, { timeout: 600_000, ...opts }, async () => {
    const seen = { conflicts: 0, dmlCommits: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 2, maxLength: 4 }), fc.boolean(), fc.scheduler(), async (ops, dvs, s) => {
        const { uri, storage, base } = await fresh();
        await writeDeltaTable(uri, rows(INITIAL[0]!.part, INITIAL[0]!.ids), { partitionBy: ['part'], storage, ...(dvs ? { properties: { 'delta.enableDeletionVectors': 'true' } } : {}) });
        await writeDeltaTable(uri, rows(INITIAL[1]!.part, INITIAL[1]!.ids), { mode: 'append', storage });
        const first = INITIAL.length - 1;
        const outcomes = await s.waitFor(Promise.all(ops.map(async (op, w) => {
          const store = scheduledStore(base, s, `w${w}`);
          let snap: Snapshot | undefined;
          try {
            snap = await loadSnapshot(store);
            return { w, snap, version: await runOp(snap, op, `w${w}`), error: undefined as unknown };
          } catch (e) {
            return { w, snap, version: undefined, error: e };
          }
        })));
        const table = await DeltaTable.open(uri, { storage });
        const actionsOf = new Map<number, Action[]>();
        for (let v = first + 1; v <= table.version; v++) {
          const text = new TextDecoder().decode(await base.get(`_delta_log/${String(v).padStart(20, '0')}.json`));
          actionsOf.set(v, text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Action));
        }
        for (const o of outcomes) {
          if (o.error === undefined) continue;
          assert.ok(o.snap, `writer ${o.w} failed before reading: ${String(o.error)}`);
          checkConflictJustified(o.error, ops[o.w]!, o.snap, (v) => actionsOf.get(v)!, table.version);
          seen.conflicts++;
        }
        const committed = outcomes.filter((o) => o.version !== undefined).sort((x, y) => x.version! - y.version!);
        assert.deepEqual(committed.map((o) => o.version), committed.map((_, i) => first + 1 + i), 'one version per committing writer, no gaps');
        assert.equal(table.version, first + committed.length);
        // Each version was written by the writer that acknowledged it, with its operation.
        for (const o of committed) {
          const info = actionsOf.get(o.version!)!.find((a): a is Extract<Action, { commitInfo: unknown }> => 'commitInfo' in a)!.commitInfo;
          assert.equal(info.operation, operationOf(ops[o.w]!), `version ${o.version} is writer ${o.w}'s`);
          if (ops[o.w]!.kind === 'append' || ops[o.w]!.kind.startsWith('overwrite')) assert.equal(info.userMetadata, `w${o.w}`);
          else seen.dmlCommits++;
        }
        const order = committed.map((o) => ops[o.w]!);
        order.forEach((op, i) => assert.ok(changesTable(op, serialModel(order.slice(0, i))), `${JSON.stringify(op)} committed without changing a row`));
        const got = (await table.toArrow()).toArray().map((r) => `${r.part}:${Number(r.id)}`).sort();
        assert.deepEqual(got, serialModel(order));
      }),
      { numRuns },
    );
    assert.ok(seen.conflicts > 0 && seen.dmlCommits > 0, JSON.stringify(seen));
  });
}

concurrentWritersProperty('local disk', localLocation, 60);
concurrentWritersProperty('S3, Ceph RGW', s3Location, 20, s3TestOptions);

test('an ambiguous commit (the put landed but the store reported an error) is recognised by its txnId, not written twice', async () => {
  const uri = await tempDir('dlts-ambig-');
  await writeDeltaTable(uri, rows('a', [1]));
  const store = faultyStore(new LocalStore(uri), { failOn: 'putIfAbsent', afterEffect: true, match: /_delta_log/ });
  const r = await writeToStore(store, await loadSnapshot(store), rows('a', [2]), { mode: 'append' });
  assert.equal(store.failures, 1);
  assert.equal(r.version, 1);
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, 1);
  assert.deepEqual((await table.toArrow()).toArray().map((x) => Number(x.id)).sort(), [1, 2]);
});

test('a commit whose put fails before landing leaves the table readable at its last good version', async () => {
  const uri = await tempDir('dlts-fail-');
  await writeDeltaTable(uri, rows('a', [1]));
  const store = faultyStore(new LocalStore(uri), { failOn: 'putIfAbsent', times: 10, match: /_delta_log/ });
  await assert.rejects(writeToStore(store, await loadSnapshot(store), rows('a', [2]), { mode: 'append' }), (e: unknown) => e instanceof DeltaError && e.code === 'STORAGE_FAILURE');
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, 0);
  assert.deepEqual((await table.toArrow()).toArray().map((x) => Number(x.id)), [1]);
});
