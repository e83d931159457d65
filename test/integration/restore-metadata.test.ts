import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Int64 } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { commitPath } from '../../src/protocol/log-paths.js';
import { canonicalRows } from '../support/canonical.js';
import { batchOf, idBatch, tempDir } from '../support/temp.js';

async function commitActions(uri: string, version: number): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(uri, commitPath(version)), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const rowsOf = async (uri: string): Promise<string[]> => canonicalRows(await (await DeltaTable.open(uri)).toArrow()).map((r) => JSON.stringify(r)).sort();

test("restore after a schema overwrite that dropped a column brings back the column, its values and version 0's metaData, as a RESTORE with Spark's parameters", async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, idBatch([1, 2], 'a'), { properties: { 'delta.appendOnly': 'false' } });
  const v0 = await DeltaTable.open(uri);
  await writeDeltaTable(uri, batchOf({ id: { type: new Int64(), values: [9n] } }), { mode: 'overwrite', schemaMode: 'overwrite', properties: { 'delta.enableDeletionVectors': 'true' } });
  const v1 = await DeltaTable.open(uri);
  assert.deepEqual(v1.schema.fields.map((f) => f.name), ['id']);

  assert.deepEqual(await v1.restore({ version: 0 }), { version: 2 });
  const restored = await DeltaTable.open(uri);
  assert.deepEqual(await rowsOf(uri), [JSON.stringify({ id: '1', label: 'a' }), JSON.stringify({ id: '2', label: 'a' })]);
  assert.deepEqual(restored.schema.fields.map((f) => f.name), ['id', 'label']);
  const actions = await commitActions(uri, 2);
  const metaData = actions.find((a) => 'metaData' in a)!.metaData as Record<string, unknown>;
  const original = (await commitActions(uri, 0)).find((a) => 'metaData' in a)!.metaData;
  assert.deepEqual(metaData, original);
  // The protocol is never lowered: version 1's deletion vector support stays, so no protocol action.
  assert.equal(actions.some((a) => 'protocol' in a), false);
  assert.deepEqual(restored.protocol, v1.protocol);
  assert.notDeepEqual(restored.protocol, v0.protocol);

  const [latest] = await restored.history({ limit: 1 });
  assert.equal(latest!.operation, 'RESTORE');
  assert.deepEqual(latest!.operationParameters, { version: 0, timestamp: null });
  const metrics = (actions.find((a) => 'commitInfo' in a)!.commitInfo as { operationMetrics: Record<string, string> }).operationMetrics;
  assert.deepEqual(Object.keys(metrics), ['numRestoredFiles', 'removedFilesSize', 'numRemovedFiles', 'restoredFilesSize', 'numOfFilesAfterRestore', 'tableSizeAfterRestore']);
  assert.equal(metrics.numRestoredFiles, String((await v0.files()).length));
  assert.equal(metrics.numRemovedFiles, '1');
});

test('restore to a version with the same metaData commits no metaData action', async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, idBatch([1]));
  await writeDeltaTable(uri, idBatch([2]), { mode: 'append' });
  await (await DeltaTable.open(uri)).restore({ version: 0 });
  const actions = await commitActions(uri, 2);
  assert.deepEqual(actions.map((a) => Object.keys(a)[0]).sort(), ['commitInfo', 'remove']);
  assert.deepEqual(await rowsOf(uri), [JSON.stringify({ id: '1', label: 'x' })]);
});

test('restore of a column-mapped table keeps the higher maxColumnId, so a column added afterwards gets an id no file used', async () => {
  const uri = path.join(await tempDir(), 't');
  await writeDeltaTable(uri, idBatch([1]), { properties: { 'delta.columnMapping.mode': 'name' } });
  await writeDeltaTable(uri, batchOf({ id: { type: new Int64(), values: [2n] }, extra: { type: new Int64(), values: [5n] } }), { mode: 'append', schemaMode: 'merge' });
  await (await DeltaTable.open(uri)).restore({ version: 0 });
  const restored = await DeltaTable.open(uri);
  assert.deepEqual(restored.schema.fields.map((f) => f.name), ['id', 'label']);
  assert.equal(restored.metadata.configuration['delta.columnMapping.maxColumnId'], '3');
  await writeDeltaTable(uri, batchOf({ id: { type: new Int64(), values: [3n] }, other: { type: new Int64(), values: [7n] } }), { mode: 'append', schemaMode: 'merge' });
  const other = (await DeltaTable.open(uri)).schema.fields.find((f) => f.name === 'other')!;
  assert.equal(other.metadata.get('delta.columnMapping.id'), '4');
  assert.deepEqual(await rowsOf(uri), [
    JSON.stringify({ id: '1', label: 'x', other: null }), JSON.stringify({ id: '3', label: null, other: '7' }),
  ]);
});
