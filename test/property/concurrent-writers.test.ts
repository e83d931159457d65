import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Int64, Utf8 } from 'apache-arrow';
import { DeltaError, DeltaTable } from '../../src/index.js';
import { writeToStore, type WriteOptions } from '../../src/ops/write/write.js';
import { loadSnapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { S3Store } from '../../src/storage/s3-store.js';
import { parseTableUri, type StorageOptions } from '../../src/storage/store-for-url.js';
import { freshS3Uri, s3Options, s3TestOptions } from '../support/s3.js';
import { writeDeltaTable } from '../../src/index.js';
import { scheduledStore, faultyStore } from '../support/store-wrappers.js';
import { batchOf, tempDir } from '../support/temp.js';

type Op =
  | { kind: 'append'; part: string; ids: number[] }
  | { kind: 'overwrite-partition'; part: string; ids: number[] }
  | { kind: 'overwrite-all'; part: string; ids: number[] };

const rows = (part: string, ids: number[]) => batchOf({
  id: { type: new Int64(), values: ids.map(BigInt) },
  part: { type: new Utf8(), values: ids.map(() => part) },
});

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('append', 'append', 'overwrite-partition', 'overwrite-all'),
  part: fc.constantFrom('a', 'b'),
  ids: fc.uniqueArray(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 3 }),
}) as fc.Arbitrary<Op>;

function optionsFor(op: Op, label: string): WriteOptions {
  const base: WriteOptions = { mode: op.kind === 'append' ? 'append' : 'overwrite', userMetadata: label };
  return op.kind === 'overwrite-partition' ? { ...base, predicate: [['part', '=', op.part]] } : base;
}

/** The table after applying ops serially, as a sorted list of "part:id". */
function model(ops: Op[]): string[] {
  let state: Array<[string, number]> = [];
  for (const op of ops) {
    if (op.kind === 'overwrite-all') state = [];
    if (op.kind === 'overwrite-partition') state = state.filter(([p]) => p !== op.part);
    state.push(...op.ids.map((i) => [op.part, i] as [string, number]));
  }
  return state.map(([p, i]) => `${p}:${i}`).sort();
}

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
  test(`concurrent writers (${name}): final table equals a serial run in commit order, versions contiguous, appends never conflict`, opts, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 2, maxLength: 4 }), fc.scheduler(), async (ops, s) => {
        const { uri, storage, base } = await fresh();
        await writeDeltaTable(uri, rows('a', [1000]), { partitionBy: ['part'], storage });
        const outcomes = await s.waitFor(Promise.all(ops.map(async (op, w) => {
          const store = scheduledStore(base, s, `w${w}`);
          try {
            const snap = await loadSnapshot(store);
            const r = await writeToStore(store, snap, rows(op.part, op.ids), optionsFor(op, `w${w}`));
            return { w, version: r.version, error: undefined };
          } catch (e) {
            return { w, version: -1, error: e };
          }
        })));
        for (const o of outcomes) {
          if (o.error) {
            assert.ok(o.error instanceof DeltaError && o.error.code === 'COMMIT_CONFLICT', `unexpected ${String(o.error)}`);
            assert.notEqual(ops[o.w]!.kind, 'append', 'a blind append never conflicts');
          }
        }
        const table = await DeltaTable.open(uri, { storage });
        const committed = outcomes.filter((o) => !o.error);
        assert.equal(table.version, committed.length, 'one version per successful writer, no gaps');
        // Which writer committed each version, from commitInfo.userMetadata.
        const order: Op[] = [{ kind: 'append', part: 'a', ids: [1000] }];
        for (let v = 1; v <= table.version; v++) {
          const text = new TextDecoder().decode(await base.get(`_delta_log/${String(v).padStart(20, '0')}.json`));
          const label = JSON.parse(text.split('\n')[0]!).commitInfo.userMetadata as string;
          const w = Number(label.slice(1));
          assert.equal(committed.find((o) => o.w === w)?.version, v, `writer ${w} acknowledged version ${v}`);
          order.push(ops[w]!);
        }
        const got = (await table.toArrow()).toArray().map((r) => `${r.part}:${Number(r.id)}`).sort();
        assert.deepEqual(got, model(order));
      }),
      { numRuns },
    );
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
