import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readLastCheckpoint } from '../../src/log/last-checkpoint-file.js';
import { listLogSegment } from '../../src/log/list-log.js';
import { readCheckpoint } from '../../src/log/read-checkpoint.js';
import { readCommits } from '../../src/log/read-commit.js';
import { writeCheckpoint } from '../../src/ops/write/checkpoint.js';
import { carriedCheckpoint } from '../../src/ops/write/checkpoint-carry.js';
import { serializeCommit } from '../../src/protocol/action-codec.js';
import type { Action, AddAction, DeletionVectorDescriptor, DomainMetadata, Metadata, Protocol, RemoveAction, Txn } from '../../src/protocol/actions.js';
import { commitPath } from '../../src/protocol/log-paths.js';
import { loadSnapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { tempDir } from '../support/temp.js';

const NOW = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;
const schemaString = JSON.stringify({ type: 'struct', fields: [
  { name: 'id', type: 'long', nullable: true, metadata: {} }, { name: 'p', type: 'string', nullable: true, metadata: {} },
] });
const header: Action[] = [
  { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
  { metaData: { id: 'prop', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: ['p'], configuration: {}, createdTime: 0 } },
];

/** One commit of a random history; indexes pick among live or removed files modulo their count. */
type Op =
  | { kind: 'add'; files: number; partition: string | null; tagged: boolean }
  | { kind: 'remove'; pick: number; ageHours: number }
  | { kind: 'readd'; pick: number }
  | { kind: 'dvUpdate'; pick: number }
  | { kind: 'txn'; app: string; version: number }
  | { kind: 'domain'; domain: string; removed: boolean }
  | { kind: 'configure'; value: number }
  | { kind: 'checkpoint'; atVersion: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), files: fc.integer({ min: 1, max: 4 }), partition: fc.option(fc.constantFrom('a', 'b b', 'ü/é', '%25'), { nil: null }), tagged: fc.boolean() }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat(), ageHours: fc.constantFrom(1, 100, 169, 1000) }),
  fc.record({ kind: fc.constant('readd' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('dvUpdate' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('txn' as const), app: fc.constantFrom('app-1', 'app-2'), version: fc.nat(50) }),
  fc.record({ kind: fc.constant('domain' as const), domain: fc.constantFrom('d1', 'd2'), removed: fc.boolean() }),
  fc.record({ kind: fc.constant('configure' as const), value: fc.nat(9) }),
  { arbitrary: fc.record({ kind: fc.constant('checkpoint' as const), atVersion: fc.boolean() }), weight: 4 },
);

test('a checkpoint holds exactly the state replayed from the commits alone, whatever checkpoints came before (read back or kept in memory), and a snapshot loaded through it counts and lists those files', { timeout: 300_000 }, async () => {
  let checkpointsFromCheckpoints = 0;
  let checkpointsFromCarried = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40, size: 'medium' }), async (ops) => {
      const uri = await tempDir('dlts-cp-prop-');
      const store = new LocalStore(uri);
      const history = new History();
      await store.putIfAbsent(commitPath(0), serializeCommit(header));
      let version = 0;
      let lastCheckpoint = -1;
      for (const o of ops) {
        if (o.kind === 'checkpoint') {
          if (lastCheckpoint >= 0 && lastCheckpoint < version) checkpointsFromCheckpoints++;
          // Given its version (as the post-commit hook does), the writer starts from the checkpoint
          // it wrote last, kept in memory; without one, it lists the log and reads the newest.
          if (o.atVersion && lastCheckpoint >= 0 && lastCheckpoint < version && carriedCheckpoint(store.rootUri)?.version === lastCheckpoint) checkpointsFromCarried++;
          const result = await writeCheckpoint(store, { now: () => NOW, ...(o.atVersion ? { version } : {}) });
          lastCheckpoint = version;
          assert.equal(result.version, version);
          await assertCheckpointMatchesCommits(store, version, result);
          continue;
        }
        await store.putIfAbsent(commitPath(++version), serializeCommit(history.commit(o)));
      }
      // Opening through whatever checkpoints exist gives the state of the commits too.
      const expected = await replayedFromCommits(store, version);
      const snapshot = await loadSnapshot(store);
      // Counted before the list is built (a checkpoint's rows stay columns until first used).
      assert.equal(snapshot.fileCount, expected.adds.length);
      // Files that came from a checkpoint carry dataChange=false; nothing else may differ.
      const unchanged = (add: AddAction): Action => ({ add: { ...add, dataChange: false } });
      assert.deepEqual(keyed(snapshot.files.map((f) => unchanged(f.add))), keyed(expected.adds.map(unchanged)));
    }),
    { numRuns: 50 },
  );
  assert.ok(checkpointsFromCheckpoints > 0, 'some checkpoints were built on an earlier checkpoint plus commits');
  assert.ok(checkpointsFromCarried > 0, 'some were built on the checkpoint kept in memory');
});

/** A logical file's key, path + deletion vector id, computed here rather than with the code under test. */
function logicalKey(f: { path: string; deletionVector?: DeletionVectorDescriptor | undefined }): string {
  const dv = f.deletionVector;
  return `${decodeURIComponent(f.path)}|${dv ? `${dv.storageType}${dv.pathOrInlineDv}@${dv.offset ?? ''}` : ''}`;
}

/**
 * The state at `version` by the protocol's reconciliation rules, replayed oldest first with plain
 * maps: an oracle independent of src/snapshot/replay.ts, which the checkpoint writer uses.
 */
async function replayedFromCommits(store: LocalStore, version: number) {
  const commits = await readCommits(store, Array.from({ length: version + 1 }, (_, v) => v));
  const adds = new Map<string, AddAction>();
  const tombstones = new Map<string, RemoveAction>();
  const txns = new Map<string, Txn>();
  const domains = new Map<string, DomainMetadata>();
  let protocol: Protocol | undefined;
  let metadata: Metadata | undefined;
  for (const actions of commits) {
    for (const a of actions) {
      if ('add' in a) {
        adds.set(logicalKey(a.add), a.add);
        tombstones.delete(logicalKey(a.add));
      } else if ('remove' in a) {
        adds.delete(logicalKey(a.remove));
        tombstones.set(logicalKey(a.remove), a.remove);
      } else if ('txn' in a) txns.set(a.txn.appId, a.txn);
      else if ('domainMetadata' in a) {
        if (a.domainMetadata.removed) domains.delete(a.domainMetadata.domain);
        else domains.set(a.domainMetadata.domain, a.domainMetadata);
      } else if ('protocol' in a) protocol = a.protocol;
      else if ('metaData' in a) metadata = a.metaData;
    }
  }
  return { adds: [...adds.values()], tombstones: [...tombstones.values()], txns, domains, protocol, metadata };
}

async function assertCheckpointMatchesCommits(store: LocalStore, version: number, result: { size: number; numOfAddFiles: number }): Promise<void> {
  const expected = await replayedFromCommits(store, version);
  const segment = await listLogSegment(store, { version });
  assert.equal(segment.checkpoint?.version, version);
  const actions = await readCheckpoint(store, segment.checkpoint!);
  const adds = actions.filter((a) => 'add' in a);
  const removes = actions.filter((a) => 'remove' in a);
  assert.ok(adds.every((a) => 'add' in a && a.add.dataChange === false), 'checkpoint adds have dataChange=false');
  assert.deepEqual(keyed(adds), keyed(expected.adds.map((add) => ({ add: { ...add, dataChange: false } }))), `live files at version ${version}`);
  const unexpired = expected.tombstones.filter((r) => (r.deletionTimestamp ?? 0) > NOW - 168 * HOUR);
  assert.deepEqual(keyed(removes), keyed(unexpired.map((r) => ({ remove: { ...r, dataChange: false } }))), `unexpired tombstones at version ${version}`);
  assert.deepEqual(actions.filter((a) => 'protocol' in a), [{ protocol: expected.protocol }]);
  assert.deepEqual(actions.filter((a) => 'metaData' in a), [{ metaData: expected.metadata }]);
  assert.deepEqual(sorted(actions.flatMap((a) => ('txn' in a ? [a.txn] : []))), sorted([...expected.txns.values()]));
  assert.deepEqual(sorted(actions.flatMap((a) => ('domainMetadata' in a ? [a.domainMetadata] : []))), sorted([...expected.domains.values()]));
  assert.equal(result.size, actions.length);
  assert.equal(result.numOfAddFiles, adds.length);
  const pointer = await readLastCheckpoint(store);
  assert.equal(pointer?.version, version);
  assert.equal(pointer?.numOfAddFiles, adds.length);
}

/** File actions as canonical JSON keyed by logical file, for order-free comparison. */
function keyed(actions: Action[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of actions) {
    const f = 'add' in a ? a.add : 'remove' in a ? a.remove : undefined;
    if (!f) continue;
    out[logicalKey(f)] = canonical(f);
  }
  return out;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x);
}

function sorted<T>(xs: T[]): string[] {
  return xs.map(canonical).sort();
}

/** Builds each commit of the random history, tracking live and removed files. */
class History {
  private next = 0;
  private live: AddAction[] = [];
  private removed: AddAction[] = [];
  private dvs = 0;

  commit(o: Exclude<Op, { kind: 'checkpoint' }>): Action[] {
    const info: Action = { commitInfo: { timestamp: NOW, operation: o.kind } };
    switch (o.kind) {
      case 'add': {
        const adds = Array.from({ length: o.files }, () => this.newFile(o.partition, o.tagged));
        this.live.push(...adds);
        return [info, ...adds.map((add) => ({ add }))];
      }
      case 'remove': {
        const f = this.take(this.live, o.pick);
        if (!f) return [info];
        this.removed.push(f);
        return [info, { remove: { path: f.path, deletionTimestamp: NOW - o.ageHours * HOUR, dataChange: true, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size, ...(f.deletionVector ? { deletionVector: f.deletionVector } : {}) } }];
      }
      case 'readd': {
        const f = this.take(this.removed, o.pick);
        if (!f) return [info];
        const again = { ...f, modificationTime: f.modificationTime + 1 };
        this.live.push(again);
        return [info, { add: again }];
      }
      case 'dvUpdate': {
        const f = this.take(this.live, o.pick);
        if (!f) return [info];
        const dv: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: `ab^-aqEH.-t@S}K{vb[*k^${String(this.dvs++).padStart(3, '0')}`.slice(0, 25), offset: 1, sizeInBytes: 34, cardinality: 1 + this.dvs };
        const updated: AddAction = { ...f, deletionVector: dv };
        this.live.push(updated);
        return [info, { remove: { path: f.path, deletionTimestamp: NOW - HOUR, dataChange: true, ...(f.deletionVector ? { deletionVector: f.deletionVector } : {}) } }, { add: updated }];
      }
      case 'txn':
        return [info, { txn: { appId: o.app, version: o.version, lastUpdated: NOW } }];
      case 'domain':
        return [info, { domainMetadata: { domain: o.domain, configuration: `{"v":${this.next}}`, removed: o.removed } }];
      case 'configure': {
        const metaData = { ...(header[1] as { metaData: Metadata }).metaData, configuration: { 'custom.setting': String(o.value) } };
        return [info, { metaData }];
      }
    }
  }

  private newFile(partition: string | null, tagged: boolean): AddAction {
    const n = this.next++;
    const dir = partition === null ? 'p=__HIVE_DEFAULT_PARTITION__' : `p=${encodeURIComponent(partition)}`;
    return {
      path: `${encodeURIComponent(dir)}/part-${n}.parquet`, partitionValues: { p: partition }, size: 100 + n, modificationTime: NOW + n,
      dataChange: true, stats: JSON.stringify({ numRecords: n, minValues: { id: n }, maxValues: { id: n }, nullCount: { id: 0 } }),
      ...(tagged ? { tags: { INSERTION_TIME: String(NOW + n), note: 'x' } } : {}),
    };
  }

  private take(from: AddAction[], pick: number): AddAction | undefined {
    if (from.length === 0) return undefined;
    return from.splice(pick % from.length, 1)[0];
  }
}
