import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Int64 } from 'apache-arrow';
import { DeltaTable, writeDeltaTable, type ReadStreamOptions, type StreamBatch } from '../../src/index.js';
import { commitPath } from '../../src/protocol/log-paths.js';
import { deltaError, idsOf, tableWithAppends } from '../support/streams.js';
import { batchOf, idBatch } from '../support/temp.js';


/** Streams one file per batch; after the first batch runs `change`, then reads on until the stream ends or fails. */
async function streamAround(uri: string, change: () => Promise<void>, opts: ReadStreamOptions = {}): Promise<number[]> {
  const ac = new AbortController();
  const got: number[] = [];
  const stopLater = setTimeout(() => ac.abort(), 5_000); // a stream that misses the change idles forever
  try {
    for await (const b of DeltaTable.readStream(uri, { startingVersion: 0, maxFilesPerTrigger: 1, pollIntervalMs: 20, signal: ac.signal, ...opts })) {
      got.push(...idsOf(b));
      if (b.batchId === 0) await change();
    }
  } finally {
    clearTimeout(stopLater);
  }
  return got;
}

describe('a running stream whose table changes under it', () => {
  test('a table deleted and recreated with more versions fails the stream instead of reading the new table', async () => {
    const uri = await tableWithAppends([[1], [2], [3]]);
    await assert.rejects(streamAround(uri, async () => {
      await rm(uri, { recursive: true });
      for (const id of [10, 11, 12, 13]) await writeDeltaTable(uri, idBatch([id]), { mode: 'append' });
    }), deltaError('INVALID_ARGUMENT', /was replaced: the stream follows table id .* the table now has id/));
  });

  test('a caught-up stream whose table is recreated past its position fails instead of delivering the new rows', async () => {
    const uri = await tableWithAppends([[1], [2]]);
    // Versions 2 and 3 of the new table are where the stream waits: read as ours, they would pass.
    await assert.rejects(streamAround(uri, async () => {
      await rm(uri, { recursive: true });
      for (const id of [10, 11, 12, 13]) await writeDeltaTable(uri, idBatch([id]), { mode: 'append' });
    }, { maxFilesPerTrigger: 1000 }), deltaError('INVALID_ARGUMENT', /was replaced/));
  });

  test('a table deleted and recreated with fewer versions fails the stream instead of waiting forever', async () => {
    const uri = await tableWithAppends([[1], [2], [3]]);
    await assert.rejects(streamAround(uri, async () => {
      await rm(uri, { recursive: true });
      await writeDeltaTable(uri, idBatch([10]), { mode: 'append' });
    }), deltaError('INVALID_ARGUMENT', /was replaced/));
  });

  test('a table deleted under the stream fails it with TABLE_NOT_FOUND', async () => {
    const uri = await tableWithAppends([[1], [2], [3]]);
    await assert.rejects(streamAround(uri, () => rm(uri, { recursive: true })), deltaError('TABLE_NOT_FOUND', /was deleted while streaming/));
  });

  test('log cleanup removing commits a lagging stream has not read fails it with VERSION_NOT_FOUND naming the first lost version', async () => {
    const uri = await tableWithAppends([[1], [2], [3], [4], [5], [6]]);
    await assert.rejects(streamAround(uri, async () => {
      // What metadata cleanup does once a checkpoint exists: the oldest commits go first.
      await (await DeltaTable.open(uri)).checkpoint();
      for (let v = 0; v <= 3; v++) await rm(path.join(uri, commitPath(v)));
    }), deltaError('VERSION_NOT_FOUND', /needs version 2 .* earliest commit left is 4/));
  });

  test('log cleanup of commits the stream already read does not disturb it', async () => {
    const uri = await tableWithAppends([[1], [2], [3]]);
    const got = await streamAround(uri, async () => {
      await writeDeltaTable(uri, idBatch([4]), { mode: 'append' });
      await (await DeltaTable.open(uri)).checkpoint();
      // Commit 1 is the newest the stream has read: its disappearing must not look like a new table.
      for (const v of [0, 1]) await rm(path.join(uri, commitPath(v)));
    }, { availableNow: true });
    assert.deepEqual(got, [1, 2, 3]);
  });

  test('a column dropped after the stream started stops it, even in a commit skipChangeCommits skips; a restart reads the new schema', async () => {
    const uri = await tableWithAppends([[1], [2]]);
    const cp = path.join(path.dirname(uri), 'cp');
    const onlyIds = (ids: number[]) => batchOf({ id: { type: new Int64(), values: ids.map(BigInt) } });
    const reader = DeltaTable.readStream(uri, { checkpointLocation: cp, startingVersion: 0, skipChangeCommits: true, pollIntervalMs: 20 });
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const b of reader) {
        got.push(...idsOf(b));
        await reader.commit(b);
        if (b.batchId === 0) {
          await writeDeltaTable(uri, onlyIds([7]), { mode: 'overwrite', schemaMode: 'overwrite' }); // version 2 drops "label"
          await writeDeltaTable(uri, onlyIds([8]), { mode: 'append' });
        }
      }
    }, deltaError('SCHEMA_MISMATCH', /schema changed at version 2 .*column "label" was dropped/));
    assert.deepEqual(got, [1, 2]);
    const again = DeltaTable.readStream(uri, { checkpointLocation: cp, skipChangeCommits: true, availableNow: true });
    const after: StreamBatch[] = [];
    for await (const b of again) after.push(b);
    assert.deepEqual(after.flatMap(idsOf), [8]);
    assert.deepEqual(after[0]!.data.schema.fields.map((f) => f.name), ['id']);
  });
});

describe('a damaged checkpoint location', () => {
  async function progressed(): Promise<{ uri: string; cp: string }> {
    const uri = await tableWithAppends([[1], [2], [3], [4]]);
    const cp = path.join(path.dirname(uri), 'cp');
    const reader = DeltaTable.readStream(uri, { checkpointLocation: cp, startingVersion: 0, maxFilesPerTrigger: 1, availableNow: true });
    for await (const b of reader) if (b.batchId < 2) await reader.commit(b); // batches 2 and 3 stay uncommitted
    return { uri, cp };
  }
  const restart = async (uri: string, cp: string): Promise<void> => {
    for await (const _ of DeltaTable.readStream(uri, { checkpointLocation: cp, availableNow: true })) { /* drain */ }
  };
  const edit = async (file: string, change: (range: { startOffset: Record<string, unknown>; endOffset: Record<string, unknown> }) => void): Promise<void> => {
    const range = JSON.parse(await readFile(file, 'utf8'));
    change(range);
    await writeFile(file, JSON.stringify(range));
  };

  test('offsets that move backwards are CORRUPT_LOG, not a silent re-read', async () => {
    const { uri, cp } = await progressed();
    await edit(path.join(cp, 'offsets', '2'), (r) => { r.startOffset.reservoirVersion = 0; });
    await assert.rejects(restart(uri, cp), deltaError('CORRUPT_LOG', /offsets\/2: stream offsets move backwards, from 2#-1@.* to 0#-1@/));
  });

  test('a planned batch that does not start where the one before ended is CORRUPT_LOG, not a silent gap', async () => {
    const { uri, cp } = await progressed();
    await edit(path.join(cp, 'offsets', '3'), (r) => { r.startOffset.reservoirVersion = 4; r.endOffset.reservoirVersion = 5; });
    await assert.rejects(restart(uri, cp), deltaError('CORRUPT_LOG', /batch 3 does not start where batch 2 ended/));
  });

  test('offsets of another table are refused as a replaced table', async () => {
    const { uri, cp } = await progressed();
    for (const f of ['commits/1', 'offsets/2', 'offsets/3']) {
      await edit(path.join(cp, f), (r) => { r.endOffset.reservoirId = 'another-table'; r.startOffset.reservoirId = 'another-table'; });
    }
    await assert.rejects(restart(uri, cp), deltaError('INVALID_ARGUMENT', /was replaced: the stream follows table id another-table/));
  });
});
