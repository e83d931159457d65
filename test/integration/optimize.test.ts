import assert from 'node:assert/strict';
import { cp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Float64, Int64, Utf8 } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { MAX_OPTIMIZE_PLANS } from '../../src/ops/maintain/optimize.js';
import { corpusRoot } from '../support/paths.js';
import { tableIds } from '../support/read.js';
import { deltaError } from '../support/streams.js';
import { batchOf, idBatch, tempDir } from '../support/temp.js';

/** A table at a fresh temp path with one append (one file) per entry; partitioned by `label` when asked. */
async function tableOf(appends: Array<{ ids: number[]; label?: string }>, partitioned = false): Promise<string> {
  const uri = path.join(await tempDir('dlts-opt-'), 't');
  for (const a of appends) {
    await writeDeltaTable(uri, idBatch(a.ids, a.label ?? 'x'), { mode: 'append', ...(partitioned ? { partitionBy: ['label'] } : {}) });
  }
  return uri;
}

async function commitJson(uri: string, version: number): Promise<Array<Record<string, Record<string, unknown>>>> {
  const text = await readFile(path.join(uri, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

/** Every row of a table as sorted JSON lines (bigints as strings). */
async function rowsOf(uri: string, version?: number): Promise<string[]> {
  const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
  const rows = (await t.toArrow()).toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return rows.sort();
}

async function parquetOnDisk(uri: string): Promise<string[]> {
  return (await readdir(uri, { recursive: true })).filter((f) => f.endsWith('.parquet') && !f.startsWith('_delta_log')).sort();
}

/** Every data file any commit of the log added (relative paths). */
async function parquetInLog(uri: string): Promise<string[]> {
  const commits = (await readdir(path.join(uri, '_delta_log'))).filter((f) => /^\d{20}\.json$/.test(f));
  const paths = new Set<string>();
  for (const c of commits) {
    for (const a of await commitJson(uri, Number(c.slice(0, 20)))) if (a.add) paths.add(decodeURIComponent(String(a.add.path)));
  }
  return [...paths].sort();
}

async function copyCorpusTable(name: string): Promise<string> {
  const uri = path.join(await tempDir('dlts-opt-dv-'), name);
  await cp(path.join(corpusRoot, 'tables', name), uri, { recursive: true });
  return uri;
}

async function expectedRows(name: string, version: number): Promise<string[]> {
  const text = await readFile(path.join(corpusRoot, 'expected', name, `v${version}.jsonl`), 'utf8');
  return text.trim().split('\n').map((l) => JSON.stringify(JSON.parse(l))).sort();
}

describe('optimize: bin-packing', () => {
  test('an unpartitioned table of 5 small files becomes one file with the same rows, in a dataChange=false OPTIMIZE commit', async () => {
    const uri = await tableOf([{ ids: [1, 2] }, { ids: [3] }, { ids: [4, 5] }, { ids: [6] }, { ids: [7] }]);
    const before = await rowsOf(uri);
    const table = await DeltaTable.open(uri);
    const result = await table.optimize();
    const filesBefore = await table.files();
    assert.deepEqual({ ...result, bytesAdded: 0 }, {
      version: 5, numFilesAdded: 1, numFilesRemoved: 5, filesSkipped: 0, bytesAdded: 0,
      bytesRemoved: filesBefore.reduce((s, f) => s + f.size, 0), partitionsOptimized: 1,
    });
    const after = await DeltaTable.open(uri);
    assert.equal(after.version, 5);
    const files = await after.files();
    assert.equal(files.length, 1);
    assert.equal(files[0]!.numRecords, 7);
    assert.equal(result.bytesAdded, files[0]!.size);
    assert.deepEqual(await rowsOf(uri), before);

    const actions = await commitJson(uri, 5);
    const info = actions[0]!.commitInfo!;
    assert.equal(info.operation, 'OPTIMIZE');
    assert.deepEqual(info.operationParameters, { predicate: '[]', zOrderBy: '[]', clusterBy: '[]', auto: 'false' });
    assert.equal(info.isolationLevel, 'SnapshotIsolation');
    assert.equal(info.isBlindAppend, false);
    const metrics = info.operationMetrics as Record<string, string>;
    assert.equal(metrics.numAddedFiles, '1');
    assert.equal(metrics.numRemovedFiles, '5');
    assert.equal(metrics.numAddedBytes, String(files[0]!.size));
    assert.equal(metrics.minFileSize, String(files[0]!.size));
    assert.equal(metrics.maxFileSize, String(files[0]!.size));
    assert.equal(metrics.numDeletionVectorsRemoved, '0');
    const removes = actions.filter((a) => 'remove' in a).map((a) => a.remove!);
    const adds = actions.filter((a) => 'add' in a).map((a) => a.add!);
    assert.equal(removes.length, 5);
    assert.equal(adds.length, 1);
    assert.ok(removes.every((r) => r.dataChange === false));
    assert.equal(adds[0]!.dataChange, false);
    const stats = JSON.parse(adds[0]!.stats as string) as { numRecords: number; minValues: { id: number }; maxValues: { id: number } };
    assert.deepEqual([stats.numRecords, stats.minValues.id, stats.maxValues.id], [7, 1, 7]);
  });

  test('a second optimize finds nothing to do and commits nothing', async () => {
    const uri = await tableOf([{ ids: [1] }, { ids: [2] }, { ids: [3] }]);
    const first = await (await DeltaTable.open(uri)).optimize();
    assert.equal(first.version, 3);
    const second = await (await DeltaTable.open(uri)).optimize();
    assert.deepEqual(second, { version: 3, numFilesAdded: 0, numFilesRemoved: 0, filesSkipped: 1, bytesAdded: 0, bytesRemoved: 0, partitionsOptimized: 0 });
    assert.equal((await DeltaTable.open(uri)).version, 3);
  });

  test('per partition: a partition of one file is left alone, and a predicate limits the partitions', async () => {
    const uri = await tableOf([
      { ids: [1], label: 'a' }, { ids: [2], label: 'a' }, { ids: [3], label: 'a' },
      { ids: [10], label: 'b' },
      { ids: [20], label: 'c' }, { ids: [21], label: 'c' },
    ], true);
    const before = await rowsOf(uri);
    const onlyA = await (await DeltaTable.open(uri)).optimize({ predicate: [['label', '=', 'a']] });
    assert.deepEqual([onlyA.numFilesRemoved, onlyA.numFilesAdded, onlyA.filesSkipped, onlyA.partitionsOptimized], [3, 1, 0, 1]);
    const info = (await commitJson(uri, onlyA.version))[0]!.commitInfo!;
    assert.deepEqual((info.operationParameters as Record<string, string>).predicate, '["`label` = \'a\'"]');
    const rest = await (await DeltaTable.open(uri)).optimize();
    assert.deepEqual([rest.numFilesRemoved, rest.numFilesAdded, rest.filesSkipped, rest.partitionsOptimized], [2, 1, 2, 1]);
    const files = await (await DeltaTable.open(uri)).files();
    assert.deepEqual(files.map((f) => [f.partitionValues.label, f.numRecords]).sort(), [['a', 3], ['b', 1], ['c', 2]]);
    assert.deepEqual(await rowsOf(uri), before);
  });

  test('files at or above minFileSizeBytes stay; targetSizeBytes bounds each output file', async () => {
    const uri = await tableOf(Array.from({ length: 6 }, (_, i) => ({ ids: [i] })));
    const sizes = (await (await DeltaTable.open(uri)).files()).map((f) => f.size);
    const none = await (await DeltaTable.open(uri)).optimize({ minFileSizeBytes: Math.min(...sizes) });
    assert.equal(none.numFilesRemoved, 0);
    // Bins of at most two files.
    const pairs = await (await DeltaTable.open(uri)).optimize({ targetSizeBytes: Math.max(...sizes) * 2 + 1, minFileSizeBytes: Math.max(...sizes) + 1 });
    assert.deepEqual([pairs.numFilesRemoved, pairs.numFilesAdded], [6, 3]);
    assert.deepEqual(await tableIds(uri), [0, 1, 2, 3, 4, 5]);
  });

  test('an SQL predicate over partition columns selects exactly the partitions it is TRUE for, including OR, NOT, IN and IS NULL', async () => {
    // Partitions (label, day): (a,1) (a,2) (b,1) (c,2) (null,1), two files each.
    const parts: Array<[string | null, number]> = [['a', 1], ['a', 2], ['b', 1], ['c', 2], [null, 1]];
    const fresh = async (): Promise<string> => {
      const uri = path.join(await tempDir('dlts-opt-sql-'), 't');
      let id = 0;
      for (const [label, day] of parts) {
        for (let k = 0; k < 2; k++) {
          const batch = batchOf({
            id: { type: new Int64(), values: [BigInt(id++)] },
            label: { type: new Utf8(), values: [label] },
            day: { type: new Int64(), values: [BigInt(day)] },
          });
          await writeDeltaTable(uri, batch, { mode: 'append', partitionBy: ['label', 'day'] });
        }
      }
      return uri;
    };
    const compacted = async (uri: string): Promise<string[]> => {
      const files = await (await DeltaTable.open(uri)).files();
      const count = new Map<string, number>();
      for (const f of files) {
        const k = `${f.partitionValues.label ?? 'null'}/${f.partitionValues.day}`;
        count.set(k, (count.get(k) ?? 0) + 1);
      }
      return [...count].filter(([, n]) => n === 1).map(([k]) => k).sort();
    };
    const cases: Array<[string, string[]]> = [
      ["label = 'a'", ['a/1', 'a/2']],
      ["label = 'a' AND day = 2", ['a/2']],
      ["label = 'b' OR day = 2", ['a/2', 'b/1', 'c/2']],
      ["NOT (label = 'a')", ['b/1', 'c/2']],
      ["label IN ('b', 'c') AND day BETWEEN 1 AND 1", ['b/1']],
      ['label IS NULL', ['null/1']],
      ["LABEL <> 'a' OR label IS NULL", ['b/1', 'c/2', 'null/1']],
      ['day + 1 = 3', ['a/2', 'c/2']],
    ];
    for (const [sql, expected] of cases) {
      const uri = await fresh();
      const before = await rowsOf(uri);
      const r = await (await DeltaTable.open(uri)).optimize({ predicate: sql });
      assert.deepEqual(await compacted(uri), expected, sql);
      assert.deepEqual([r.numFilesRemoved, r.numFilesAdded, r.partitionsOptimized], [expected.length * 2, expected.length, expected.length], sql);
      assert.deepEqual(await rowsOf(uri), before, sql);
      const info = (await commitJson(uri, r.version))[0]!.commitInfo!;
      assert.equal((info.operationParameters as Record<string, string>).predicate, JSON.stringify([sql]), sql);
    }
    // A predicate no partition satisfies commits nothing.
    const uri = await fresh();
    const none = await (await DeltaTable.open(uri)).optimize({ predicate: "label = 'zzz'" });
    assert.deepEqual([none.version, none.numFilesRemoved, none.filesSkipped], [9, 0, 0]);
  });

  test('predicates on data columns (SQL or filter), unknown columns, and bad options are refused with a hint', async () => {
    const uri = await tableOf([{ ids: [1], label: 'a' }, { ids: [2], label: 'a' }], true);
    const table = await DeltaTable.open(uri);
    const notPartition = deltaError('INVALID_ARGUMENT', /^the optimize predicate names "id", which is not a partition column$/);
    await assert.rejects(table.optimize({ predicate: [['id', '=', 1]] }), notPartition);
    await assert.rejects(table.optimize({ predicate: 'id > 1' }), notPartition);
    await assert.rejects(table.optimize({ predicate: "label = 'a' AND id = 1" }), notPartition);
    await assert.rejects(table.optimize({ predicate: 'nope = 1' }), deltaError('INVALID_ARGUMENT', /column "nope" in the expression "nope = 1" is not in the table/));
    await assert.rejects(table.optimize({ predicate: "label = 'a' AND" }), deltaError('INVALID_ARGUMENT', /./));
    const unpartitioned = await DeltaTable.open(await tableOf([{ ids: [1] }, { ids: [2] }]));
    await assert.rejects(unpartitioned.optimize({ predicate: "label = 'x'" }), (err: unknown) => {
      assert.match(String((err as { hint?: string }).hint), /the table is not partitioned/);
      return true;
    });
    await assert.rejects(table.optimize({ targetSizeBytes: 0 }), deltaError('INVALID_ARGUMENT', /targetSizeBytes must be a positive integer/));
    await assert.rejects(table.optimize({ zOrderBy: ['label'] }), deltaError('INVALID_ARGUMENT', /partition column/));
    await assert.rejects(table.optimize({ zOrderBy: ['nope'] }), deltaError('INVALID_ARGUMENT', /"nope" is not in the table/));
    assert.equal((await DeltaTable.open(uri)).version, 1);
  });
});

describe('optimize: deletion vectors', () => {
  test('a Spark table whose one file has a deletion vector is rewritten without the deleted rows', async () => {
    const uri = await copyCorpusTable('table-with-dv-small');
    const expected = await expectedRows('table-with-dv-small', 1);
    assert.deepEqual(await rowsOf(uri), expected);
    const result = await (await DeltaTable.open(uri)).optimize();
    assert.deepEqual([result.version, result.numFilesRemoved, result.numFilesAdded], [2, 1, 1]);
    const after = await DeltaTable.open(uri);
    const files = after.snapshot.files;
    assert.equal(files.length, 1);
    assert.equal(files[0]!.add.deletionVector, undefined);
    assert.deepEqual(await rowsOf(uri), expected);
    const info = (await commitJson(uri, 2))[0]!.commitInfo!;
    assert.equal((info.operationMetrics as Record<string, string>).numDeletionVectorsRemoved, '1');
    // The remove keeps its DV so that older versions stay readable.
    const remove = (await commitJson(uri, 2)).find((a) => 'remove' in a)!.remove!;
    assert.ok(remove.deletionVector);
    assert.deepEqual(await rowsOf(uri, 1), expected);
  });

  test('a partitioned Spark DV table with a checkpoint compacts every partition and keeps its 35 rows', async () => {
    const uri = await copyCorpusTable('dv-partitioned-with-checkpoint');
    const expected = await expectedRows('dv-partitioned-with-checkpoint', 15);
    const before = await DeltaTable.open(uri);
    const result = await before.optimize({ maxConcurrentTasks: 3 });
    assert.equal(result.version, 16);
    const perPartition = new Map<string | null | undefined, number>();
    for (const f of before.snapshot.files) perPartition.set(f.add.partitionValues.part, (perPartition.get(f.add.partitionValues.part) ?? 0) + 1);
    // Left alone: a partition's only file, when it has no deletion vector.
    const lone = before.snapshot.files.filter((f) => perPartition.get(f.add.partitionValues.part) === 1 && !f.add.deletionVector).length;
    assert.ok(before.snapshot.files.some((f) => f.add.deletionVector));
    assert.equal(result.numFilesRemoved, before.snapshot.files.length - lone);
    assert.equal(result.filesSkipped, lone);
    const after = await DeltaTable.open(uri);
    assert.ok(after.snapshot.files.every((f) => f.add.deletionVector === undefined));
    const partitions = new Set(before.snapshot.files.map((f) => f.add.partitionValues.part));
    assert.equal(after.snapshot.files.length, partitions.size);
    assert.equal(result.partitionsOptimized, partitions.size - lone);
    assert.deepEqual(await rowsOf(uri), expected);
  });
});

describe('optimize: deletion vectors written by this library', () => {
  test('files our DELETE gave deletion vectors are compacted away: no DV left, deleted rows gone, removes keep their DVs', async () => {
    const uri = path.join(await tempDir('dlts-opt-owndv-'), 't');
    await writeDeltaTable(uri, idBatch([1, 2, 3, 4]), { properties: { 'delta.enableDeletionVectors': 'true' } });
    await writeDeltaTable(uri, idBatch([5, 6, 7, 8]), { mode: 'append' });
    const table = await DeltaTable.open(uri);
    await table.delete('id = 2 OR id = 7');
    const withDv = await DeltaTable.open(uri);
    assert.equal(withDv.snapshot.files.filter((f) => f.add.deletionVector !== undefined).length, 2);
    const r = await withDv.optimize();
    assert.deepEqual([r.version, r.numFilesRemoved, r.numFilesAdded], [3, 2, 1]);
    const after = await DeltaTable.open(uri);
    assert.equal(after.snapshot.files.length, 1);
    assert.equal(after.snapshot.files[0]!.add.deletionVector, undefined);
    assert.equal((await after.files())[0]!.numRecords, 6);
    assert.deepEqual(await tableIds(uri), [1, 3, 4, 5, 6, 8]);
    const metrics = (await after.history({ limit: 1 }))[0]!.operationMetrics!;
    assert.equal(metrics.numDeletionVectorsRemoved, '2');
    // The removes carry their DVs (Spark's rule), so readers of older versions stay right.
    const removes = (await commitJson(uri, 3)).filter((a) => a.remove).map((a) => a.remove!);
    assert.equal(removes.length, 2);
    assert.ok(removes.every((rm) => rm.deletionVector !== undefined && rm.dataChange === false));
    assert.deepEqual(await tableIds(uri, 2), [1, 3, 4, 5, 6, 8]);
    // A single file with a DV is rewritten too (rewriting drops its deleted rows).
    await after.delete('id = 8');
    const single = await (await DeltaTable.open(uri)).optimize();
    assert.deepEqual([single.numFilesRemoved, single.numFilesAdded], [1, 1]);
    assert.deepEqual(await tableIds(uri), [1, 3, 4, 5, 6]);
  });
});

describe('optimize: Z-order', () => {
  test('Z-order keeps every row and narrows the x and y ranges of the files', async () => {
    const uri = path.join(await tempDir('dlts-opt-z-'), 't');
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let f = 0; f < 8; f++) {
      const n = 500;
      await writeDeltaTable(uri, batchOf({
        id: { type: new Int64(), values: Array.from({ length: n }, (_, i) => BigInt(f * n + i)) },
        x: { type: new Float64(), values: Array.from({ length: n }, rand) },
        y: { type: new Int64(), values: Array.from({ length: n }, () => BigInt(Math.floor(rand() * 1_000_000) - 500_000)) },
        s: { type: new Utf8(), values: Array.from({ length: n }, () => rand().toString(36).slice(2, 8)) },
      }), { mode: 'append' });
    }
    const before = await rowsOf(uri);
    const fileSize = (await (await DeltaTable.open(uri)).files())[0]!.size;
    const result = await (await DeltaTable.open(uri)).optimize({ zOrderBy: ['x', 'y'], targetSizeBytes: fileSize });
    assert.equal(result.numFilesRemoved, 8);
    assert.ok(result.numFilesAdded >= 6, `about 8 files of the target size, got ${result.numFilesAdded}`);
    assert.deepEqual(await rowsOf(uri), before);
    const info = (await commitJson(uri, result.version))[0]!.commitInfo!;
    assert.equal((info.operationParameters as Record<string, string>).zOrderBy, '["x","y"]');
    // Files reading x < 0.1 AND y < -400000 (the lowest 10% of each): far fewer than all.
    const files = (await DeltaTable.open(uri)).snapshot.files.map((f) => JSON.parse(f.add.stats!) as { minValues: { x: number; y: number } });
    const reads = files.filter((s) => s.minValues.x < 0.1 && s.minValues.y < -400_000).length;
    assert.ok(reads <= 2, `a corner of the x/y square is in at most 2 files, got ${reads} of ${files.length}`);
    const t = await DeltaTable.open(uri);
    const filtered = await t.toArrow({ filter: [['x', '<', 0.1], ['y', '<', -400_000n]] });
    assert.equal(filtered.numRows, before.filter((r) => {
      const o = JSON.parse(r) as { x: number; y: string };
      return o.x < 0.1 && Number(o.y) < -400_000;
    }).length);
  });

  test('Z-order by a string column within partitions keeps each partition apart', async () => {
    const uri = await tableOf([
      { ids: [3, 1], label: 'a' }, { ids: [2], label: 'a' }, { ids: [9], label: 'b' },
    ], true);
    const result = await (await DeltaTable.open(uri)).optimize({ zOrderBy: ['id'] });
    assert.equal(result.partitionsOptimized, 2);
    const files = await (await DeltaTable.open(uri)).files();
    assert.deepEqual(files.map((f) => [f.partitionValues.label, f.numRecords]).sort(), [['a', 3], ['b', 1]]);
    assert.deepEqual(await tableIds(uri), [1, 2, 3, 9]);
  });
});

describe('optimize: around other operations', () => {
  test('a blind append committed after the optimize read the table does not conflict: both land', async () => {
    const uri = await tableOf([{ ids: [1] }, { ids: [2] }]);
    const stale = await DeltaTable.open(uri);
    await writeDeltaTable(uri, idBatch([3]), { mode: 'append' });
    const result = await stale.optimize();
    assert.equal(result.version, 3);
    assert.deepEqual(await tableIds(uri), [1, 2, 3]);
    assert.equal((await DeltaTable.open(uri)).snapshot.files.length, 2);
  });

  test('an overwrite that removed every file the optimize read: it plans again on the new version, finds nothing to do, and deletes what it wrote', async () => {
    const uri = await tableOf([{ ids: [1] }, { ids: [2] }]);
    const stale = await DeltaTable.open(uri);
    await writeDeltaTable(uri, idBatch([5]), { mode: 'overwrite' });
    const parquetBefore = (await readdir(uri)).filter((f) => f.endsWith('.parquet')).sort();
    const totals: number[] = [];
    const r = await stale.optimize({ onProgress: (done, total) => void (done === 0 && totals.push(total)) });
    assert.deepEqual(totals, [1]);
    assert.deepEqual([r.version, r.numFilesRemoved, r.numFilesAdded], [2, 0, 0]);
    assert.deepEqual((await readdir(uri)).filter((f) => f.endsWith('.parquet')).sort(), parquetBefore);
    assert.deepEqual(await tableIds(uri), [5]);
    assert.equal((await DeltaTable.open(uri)).version, 2);
  });

  test('a delete in one partition while optimize rewrites: it keeps the bins still valid, plans that partition again, and commits once with every row', async () => {
    const uri = path.join(await tempDir('dlts-opt-replan-'), 't');
    for (const [ids, label] of [[[1], 'a'], [[2], 'a'], [[3], 'a'], [[4, 6], 'b'], [[5, 7], 'b']] as const) {
      await writeDeltaTable(uri, idBatch([...ids], label), { mode: 'append', partitionBy: ['label'] });
    }
    const table = await DeltaTable.open(uri);
    const totals: number[] = [];
    let deleted = false;
    const r = await table.optimize({
      maxConcurrentTasks: 1,
      onProgress: async (done, total) => {
        if (done === 0) totals.push(total);
        if (done === total && !deleted) {
          deleted = true;
          await (await DeltaTable.open(uri)).delete("label = 'b' AND id = 4");
        }
      },
    });
    // First plan: bins a and b; the delete (version 5) rewrote a file of b; the second plan rewrites only b.
    assert.deepEqual(totals, [2, 1]);
    assert.deepEqual([r.version, r.numFilesRemoved, r.numFilesAdded, r.partitionsOptimized, r.filesSkipped], [6, 5, 2, 2, 0]);
    assert.deepEqual(await tableIds(uri), [1, 2, 3, 5, 6, 7]);
    const files = await (await DeltaTable.open(uri)).files();
    assert.deepEqual(files.map((f) => [f.partitionValues.label, f.numRecords]).sort(), [['a', 3], ['b', 3]]);
    // Nothing the first plan wrote for b is left behind: every Parquet file is in the log.
    assert.deepEqual(await parquetOnDisk(uri), await parquetInLog(uri));
  });

  test('when every plan is invalidated by a delete, it is COMMIT_CONFLICT after MAX_OPTIMIZE_PLANS plans naming the last winner, and leaves nothing behind', async () => {
    const uri = path.join(await tempDir('dlts-opt-giveup-'), 't');
    for (let i = 1; i <= 6; i++) await writeDeltaTable(uri, idBatch([i, i + 10]), { mode: 'append' });
    const table = await DeltaTable.open(uri);
    let next = 1;
    let plans = 0;
    await assert.rejects(table.optimize({
      onProgress: async (done, total) => {
        if (done === 0) plans++;
        if (done === total) await (await DeltaTable.open(uri)).delete(`id = ${next++}`);
      },
    }), deltaError('COMMIT_CONFLICT', new RegExp(`^optimize gave up after ${MAX_OPTIMIZE_PLANS} plans, each invalidated by a concurrent commit; the last: concurrent-delete-read: version 10 \\(DELETE\\)`)));
    assert.equal(plans, MAX_OPTIMIZE_PLANS);
    assert.equal((await DeltaTable.open(uri)).version, 5 + MAX_OPTIMIZE_PLANS);
    assert.deepEqual(await tableIds(uri), [6, 11, 12, 13, 14, 15, 16]);
    assert.deepEqual(await parquetOnDisk(uri), await parquetInLog(uri));
  });

  test('vacuum past the retention removes the compacted-away files, and the table still reads the same', async () => {
    const uri = await tableOf([{ ids: [1] }, { ids: [2] }, { ids: [3] }]);
    const old = (await (await DeltaTable.open(uri)).files()).map((f) => f.path).sort();
    await (await DeltaTable.open(uri)).optimize();
    const now = Date.now() + 8 * 24 * 3_600_000;
    const vac = await (await DeltaTable.open(uri)).vacuum({ dryRun: false, now: () => now });
    assert.deepEqual([...vac.files].sort(), old);
    assert.deepEqual(await tableIds(uri), [1, 2, 3]);
    assert.deepEqual((await readdir(uri)).filter((f) => f.endsWith('.parquet')).length, 1);
  });

  test('a stream over the table across compactions delivers every row once', async () => {
    const uri = await tableOf([{ ids: [1] }, { ids: [2] }]);
    const ac = new AbortController();
    const seen: number[] = [];
    const steps: Array<() => Promise<unknown>> = [
      async () => {
        await (await DeltaTable.open(uri)).optimize();
        await writeDeltaTable(uri, idBatch([3]), { mode: 'append' });
        await writeDeltaTable(uri, idBatch([4]), { mode: 'append' });
      },
      async () => {
        await (await DeltaTable.open(uri)).optimize();
        await writeDeltaTable(uri, idBatch([5]), { mode: 'append' });
        await (await DeltaTable.open(uri)).optimize();
        await writeDeltaTable(uri, idBatch([6]), { mode: 'append' });
      },
    ];
    for await (const b of DeltaTable.readStream(uri, { signal: ac.signal, pollIntervalMs: 20 })) {
      seen.push(...[...b.data.getChild('id')!].map(Number));
      if (seen.length === 2 || seen.length === 4) await steps.shift()!();
      if (seen.length >= 6) ac.abort();
    }
    assert.deepEqual(seen.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
    assert.equal((await DeltaTable.open(uri)).version, 8);
  });
});
