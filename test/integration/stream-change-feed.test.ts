import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Table, type DataType } from 'apache-arrow';
import { DeltaTable, type StreamBatch } from '../../src/index.js';
import { canonicalKey, canonicalRows } from '../support/canonical.js';
import { corpusRoot } from '../support/paths.js';

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
