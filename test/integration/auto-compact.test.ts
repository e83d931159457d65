import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DeltaTable } from '../../src/index.js';
import { tableIds } from '../support/read.js';
import { deltaError } from '../support/streams.js';
import { idBatch, tempDir } from '../support/temp.js';

const uriIn = async (): Promise<string> => path.join(await tempDir('dlts-autocompact-'), 't');

describe('streaming sink autoCompact', () => {
  test('after N sink batches the file count stays below minNumFiles, and every row is there once', async () => {
    const uri = await uriIn();
    const sink = DeltaTable.writeStream(uri, { appId: 'ingest', autoCompact: { minNumFiles: 4 } });
    const counts: number[] = [];
    let compactions = 0;
    for (let b = 0; b < 14; b++) {
      const r = await sink.write(b, idBatch([b]));
      if (r.autoCompaction && r.autoCompaction.numFilesRemoved > 0) compactions++;
      counts.push((await DeltaTable.open(uri)).snapshot.files.length);
    }
    assert.ok(counts.every((n) => n < 4), `file counts ${counts.join(',')}`);
    // 4 small files at batches 3, 6, 9, 12 (the compacted file counts as small: it is below 64 MiB).
    assert.equal(compactions, 4);
    assert.deepEqual(await tableIds(uri), Array.from({ length: 14 }, (_, i) => i));
    const table = await DeltaTable.open(uri);
    assert.equal(table.version, 14 + 4 - 1);
    assert.equal(table.appTransactionVersion('ingest'), 13);
    const optimizes = (await table.history()).filter((h) => h.operation === 'OPTIMIZE');
    assert.equal(optimizes.length, 4);
    assert.ok(optimizes.every((h) => h.operationParameters.auto === 'true'));
  });

  test('only the partitions the batch wrote to are compacted', async () => {
    const uri = await uriIn();
    const plain = DeltaTable.writeStream(uri, { appId: 'b-writer', partitionBy: ['label'] });
    for (let b = 0; b < 5; b++) await plain.write(b, idBatch([100 + b], 'b'));
    const sink = DeltaTable.writeStream(uri, { appId: 'a-writer', partitionBy: ['label'], autoCompact: { minNumFiles: 3 } });
    for (let b = 0; b < 3; b++) await sink.write(b, idBatch([b], 'a'));
    const files = await (await DeltaTable.open(uri)).files();
    assert.deepEqual(files.filter((f) => f.partitionValues.label === 'a').length, 1);
    assert.deepEqual(files.filter((f) => f.partitionValues.label === 'b').length, 5);
    assert.deepEqual(await tableIds(uri), [0, 1, 2, 100, 101, 102, 103, 104]);
  });

  test('a failing compaction is a warning: the batch still reports its commit', async () => {
    const uri = await uriIn();
    const sink = DeltaTable.writeStream(uri, { appId: 'ingest', autoCompact: { minNumFiles: 2 } });
    await sink.write(0, idBatch([1]));
    // Lose the first batch's data file: compaction cannot read it.
    const [lost] = await (await DeltaTable.open(uri)).files();
    await rm(path.join(uri, lost!.path));
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const r = await sink.write(1, idBatch([2]));
      assert.deepEqual([r.version, r.skipped, r.autoCompaction], [1, false, undefined]);
      await new Promise((res) => setImmediate(res));
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^DeltaAutoCompactWarning: auto-compaction after version 1 failed \(the batch itself committed\): /);
    assert.equal((await DeltaTable.open(uri)).version, 1);
  });

  test('malformed autoCompact settings are refused up front', () => {
    assert.throws(() => DeltaTable.writeStream('/tmp/x', { appId: 'a', autoCompact: { minNumFiles: 0 } }), deltaError('INVALID_ARGUMENT', /autoCompact\.minNumFiles must be a positive integer/));
    assert.throws(() => DeltaTable.writeStream('/tmp/x', { appId: 'a', autoCompact: 'yes' as never }), deltaError('INVALID_ARGUMENT', /autoCompact/));
  });
});
