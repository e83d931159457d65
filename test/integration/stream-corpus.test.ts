import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Table, type DataType } from 'apache-arrow';
import { DeltaError, DeltaTable, type ReadStreamOptions, type StreamBatch } from '../../src/index.js';
import { canonicalKey, canonicalRows } from '../support/canonical.js';
import { corpusRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

// The corpus's Spark-written change-feed tables (cdc files for updates and deletes, deletion
// vectors), streamed with readChangeFeed: the rows must be exactly the corpus's expected feed.
const CASES = [
  { name: 'cdf-table', columns: ['id', 'name', 'birthday', '_change_type', '_commit_version'], expected: 'expected/cdf-table/cdf-0-3.jsonl', versions: 4 },
  { name: 'cdf-table-with-dv', columns: ['value', '_change_type', '_commit_version'], expected: 'expected/cdf-table-with-dv/cdf-0-6.jsonl', versions: 7 },
];

for (const c of CASES) {
  test(`${c.name}: readChangeFeed from version 0 streams the corpus's change feed, one version per batch with maxFilesPerTrigger 1`, async () => {
    const uri = path.join(corpusRoot, 'tables', c.name);
    const batches: StreamBatch[] = [];
    for await (const b of DeltaTable.readStream(uri, { readChangeFeed: true, startingVersion: 0, maxFilesPerTrigger: 1, availableNow: true, fileNotifications: false })) batches.push(b);
    assert.deepEqual(batches.map((b) => [b.firstVersion, b.lastVersion]), Array.from({ length: c.versions }, (_, v) => [v, v]));
    for (const b of batches) {
      const versions = new Set([...b.data.getChild('_commit_version')!].map(Number));
      assert.ok([...versions].every((v) => v === b.firstVersion), `batch ${b.batchId} holds only version ${b.firstVersion}`);
    }
    const all = new Table(batches.flatMap((b) => b.data.batches));
    const fields = c.columns.map((name) => ({ name, type: all.schema.fields.find((f) => f.name === name)!.type as DataType }));
    const actual = canonicalRows(all).map((r) => canonicalKey(r, fields)).sort();
    const text = await readFile(path.join(corpusRoot, c.expected), 'utf8');
    const expected = text.split('\n').filter((l) => l.trim() !== '').map((l) => canonicalKey(JSON.parse(l) as Record<string, unknown>, fields)).sort();
    assert.deepEqual(actual, expected);
    // The batch API and the stream agree, timestamps included.
    const table = await DeltaTable.open(uri);
    const batch = await table.changes({ startingVersion: 0 });
    const withTs = (t: Table): string[] => canonicalRows(t).map((r) => JSON.stringify(Object.entries(r).sort())).sort();
    assert.deepEqual(withTs(all), withTs(batch));
  });
}

test('a change-feed stream resumes from its checkpoint: replays uncommitted versions with their ranges, and commits every change once', async () => {
  const uri = path.join(corpusRoot, 'tables', 'cdf-table-with-dv');
  const cp = path.join(await tempDir('dlts-cdf-cp-'), 'cp');
  const opts: ReadStreamOptions = { readChangeFeed: true, startingVersion: 0, maxFilesPerTrigger: 1, checkpointLocation: cp, availableNow: true, fileNotifications: false };
  const committed: StreamBatch[] = [];
  const first = DeltaTable.readStream(uri, opts);
  const uncommitted: StreamBatch[] = [];
  for await (const b of first) {
    if (b.batchId < 3) {
      await first.commit(b);
      committed.push(b);
    } else {
      uncommitted.push(b);
      if (uncommitted.length === 2) break;
    }
  }
  const second = DeltaTable.readStream(uri, opts);
  for await (const b of second) {
    await second.commit(b);
    committed.push(b);
  }
  assert.deepEqual(committed.map((b) => b.batchId), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(committed.slice(3, 5).map((b) => [b.startOffset, b.endOffset]), uncommitted.map((b) => [b.startOffset, b.endOffset]));
  const rows = (t: Table): string[] => canonicalRows(t).map((r) => JSON.stringify(Object.entries(r).sort())).sort();
  const feed = await (await DeltaTable.open(uri)).changes({ startingVersion: 0 });
  assert.deepEqual(rows(new Table(committed.flatMap((b) => b.data.batches))), rows(feed));
});

describe('snapshot-repartitioned (Spark: appends, an overwrite, a DELETE rewrite, then a dataChange=false rearrangement)', () => {
  const uri = path.join(corpusRoot, 'tables', 'snapshot-repartitioned');
  const drain = async (opts: ReadStreamOptions): Promise<StreamBatch[]> => {
    const out: StreamBatch[] = [];
    for await (const b of DeltaTable.readStream(uri, { ...opts, availableNow: true, fileNotifications: false })) out.push(b);
    return out;
  };
  const rowsOf = (t: Table): string[] => canonicalRows(t).map((r) => JSON.stringify(r)).sort();

  test('a commit whose adds and removes all have dataChange=false is no data and no delete: it is passed over', async () => {
    assert.deepEqual(await drain({ startingVersion: 5 }), []);
  });

  test('skipChangeCommits delivers exactly the dataChange adds of the append commits', async () => {
    const batches = await drain({ startingVersion: 0, skipChangeCommits: true, maxFilesPerTrigger: 2 }); // each append has 2 files
    assert.deepEqual(batches.map((b) => [b.firstVersion, b.lastVersion, b.numFiles]), [[0, 0, 2], [1, 1, 2], [3, 3, 2]]);
    // The table has no change data feed; version 3 is a pure append onto version 2's overwrite.
    const rowsAt = async (version: number): Promise<string[]> => canonicalRows(await (await DeltaTable.open(uri, { version })).toArrow()).map((r) => JSON.stringify(r));
    const atV2 = new Set(await rowsAt(2));
    const appended = [...(await rowsAt(1)), ...(await rowsAt(3)).filter((r) => !atV2.has(r))].sort();
    assert.deepEqual(rowsOf(new Table(batches.flatMap((b) => b.data.batches))), appended);
  });

  test('a DELETE that rewrites files is a change even with ignoreDeletes; the stream fails naming version 4 after delivering version 3', async () => {
    const got: StreamBatch[] = [];
    await assert.rejects(async () => {
      for await (const b of DeltaTable.readStream(uri, { startingVersion: 3, ignoreDeletes: true, availableNow: true, fileNotifications: false })) got.push(b);
    }, (e: unknown) => e instanceof DeltaError && e.code === 'UNSUPPORTED_FEATURE' && /version 4 rewrites existing data/.test(e.message));
    assert.deepEqual(got.map((b) => [b.firstVersion, b.lastVersion]), [[3, 3]]);
  });
});
