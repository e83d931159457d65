import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { DataType } from 'apache-arrow';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { readParquetSchema } from '../../src/format/parquet.js';
import { corpusRoot } from '../support/paths.js';
import { idBatch, tempDir } from '../support/temp.js';
import { tableIds } from '../support/read.js';


test('restore commits the difference to an earlier version as a RESTORE', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1, 2]));
  await writeDeltaTable(uri, idBatch([3]), { mode: 'append' });
  await writeDeltaTable(uri, idBatch([9]), { mode: 'overwrite' });
  const { version } = await (await DeltaTable.open(uri)).restore({ version: 1 });
  assert.equal(version, 3);
  assert.deepEqual(await tableIds(uri), [1, 2, 3]);
  const [latest] = await (await DeltaTable.open(uri)).history({ limit: 1 });
  assert.equal(latest!.operation, 'RESTORE');
  assert.deepEqual(latest!.operationParameters, { version: 1, timestamp: null });
});

test('restore refuses with FILE_NOT_FOUND listing the files that were removed from storage', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]));
  const [old] = await (await DeltaTable.open(uri)).files();
  await writeDeltaTable(uri, idBatch([2]), { mode: 'overwrite' });
  await rm(path.join(uri, old!.path));
  await assert.rejects((await DeltaTable.open(uri)).restore({ version: 0 }), (e: unknown) => e instanceof DeltaError && e.code === 'FILE_NOT_FOUND' && e.message.includes(old!.path));
  assert.equal((await DeltaTable.open(uri)).version, 1);
});

function describe(type: DataType): string {
  const children = (type.children ?? []).map((c) => `${c.name}:${describe(c.type as DataType)}:${c.nullable}`);
  const name = String(type.typeId);
  return children.length > 0 ? `${name}<${children.join(',')}>` : name;
}

test("our checkpoint's Parquet schema matches Spark's column for column (names, types, nullability)", async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]), { partitionBy: ['label'] });
  await (await DeltaTable.open(uri)).checkpoint();
  const ours = readParquetSchema(await readFile(path.join(uri, '_delta_log', '00000000000000000000.checkpoint.parquet')));
  const spark = readParquetSchema(await readFile(path.join(corpusRoot, 'tables', 'only-checkpoint-files', '_delta_log', '00000000000000000002.checkpoint.parquet')));
  const byName = (s: typeof ours) => Object.fromEntries(s.fields.map((f) => [f.name, `${describe(f.type as DataType)}:${f.nullable}`]));
  // Spark's `add.tags`/`remove` layouts differ across versions only in field order; compare per action column.
  const sparkCols = byName(spark);
  for (const [name, desc] of Object.entries(byName(ours))) assert.equal(desc, sparkCols[name], `column ${name}`);
});
