import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordBatch } from 'apache-arrow';
import { writeParquetStream } from '../../src/format/parquet-stream-writer.js';
import { idBatch } from '../support/temp.js';

test('writeParquetStream rejects with the source error when the batch source fails part way (never returns a file missing rows)', async () => {
  const failure = new Error('source failed after one batch');
  async function* batches(): AsyncGenerator<RecordBatch> {
    yield idBatch([1, 2]);
    throw failure;
  }
  await assert.rejects(writeParquetStream(batches()), (err) => err === failure);
});
