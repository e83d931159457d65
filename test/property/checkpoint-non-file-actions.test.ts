import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { actionsToBatch } from '../../src/log/checkpoint-batches.js';
import { CHECKPOINT_SCHEMA } from '../../src/log/checkpoint-schema.js';
import { CheckpointSource } from '../../src/log/read-checkpoint.js';
import { writeParquetStream } from '../../src/format/parquet-stream-writer.js';
import type { Action } from '../../src/protocol/actions.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { tempDir } from '../support/temp.js';

// The non-file actions of a Parquet checkpoint are found by decoding a short prefix of each row
// group, trusting it only when the footer's null counts say the prefix held them all. Wherever a
// writer put them (first, as we and Spark do, or anywhere), every one must be found.

const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] });
/** JSON with keys sorted: the reader builds objects in its own key order. */
const key = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
const add = (i: number): Action => ({ add: { path: `part-${i}.parquet`, partitionValues: {}, size: 100 + i, modificationTime: 1, dataChange: false } });

async function* batchesOf(actions: Action[], perBatch: number) {
  for (let i = 0; i < actions.length; i += perBatch) yield actionsToBatch(actions.slice(i, i + perBatch), CHECKPOINT_SCHEMA);
}

test('every non-file action of a Parquet checkpoint is found, wherever its rows sit among the files', async () => {
  const store = new LocalStore(await tempDir('dlts-cp-nonfile-'));
  let n = 0;
  await fc.assert(fc.asyncProperty(
    fc.record({
      files: fc.integer({ min: 0, max: 1_500 }),
      txns: fc.integer({ min: 0, max: 4 }),
      domains: fc.integer({ min: 0, max: 3 }),
      // Where each non-file action goes, as a fraction of the file rows (0: before them all).
      positions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
      rowGroupRows: fc.constantFrom(100, 300, 1_000, 65_536),
    }),
    async ({ files, txns, domains, positions, rowGroupRows }) => {
      const nonFile: Action[] = [
        { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
        { metaData: { id: 'cp', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: { k: 'v' }, createdTime: 0 } },
        ...Array.from({ length: txns }, (_, i): Action => ({ txn: { appId: `app-${i}`, version: i * 7, lastUpdated: 5 } })),
        ...Array.from({ length: domains }, (_, i): Action => ({ domainMetadata: { domain: `d${i}`, configuration: '{}', removed: false } })),
      ];
      const rows: Action[] = Array.from({ length: files }, (_, i) => add(i));
      nonFile.forEach((a, i) => rows.splice(Math.floor(positions[i % positions.length]! * rows.length), 0, a));
      const path = `_delta_log/${String(n++).padStart(20, '0')}.checkpoint.parquet`;
      const bytes = await writeParquetStream(batchesOf(rows, 400), { rowGroupRows });
      await store.put(path, bytes);
      const source = await CheckpointSource.open(store, { version: n - 1, kind: 'classic', files: [{ path, sizeBytes: bytes.length, lastModifiedMs: 0 }] });
      assert.deepEqual(source.nonFileActions.map(key).sort(), nonFile.map(key).sort());
    },
  ), { numRuns: 40 });
});
