import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { readChanges } from '../../src/ops/read/changes.js';
import { scanSnapshot } from '../../src/ops/read/scan.js';
import { loadSnapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { corpusRoot } from '../support/paths.js';
import { recordingStore } from '../support/store-wrappers.js';
import { idBatch, tempDir } from '../support/temp.js';

/*
 * Every kind of path the log names (add, remove, cdc, sidecar, deletion vector) is crafted to
 * reach a canary file outside the table root. The gate must refuse each before any store call
 * names it: a recording store sees every path the library asks for, and the canary's rows (666)
 * never show up.
 */

const corrupt = (re: RegExp) => (e: unknown) => e instanceof DeltaError && e.code === 'CORRUPT_LOG' && re.test(e.message) && !!e.hint;

/** base/table (ids 1, 2) and base/outside holding a readable data file with id 666, the canary. */
async function tableBesideCanary(): Promise<{ base: string; root: string; canary: string }> {
  const base = await tempDir('dlts-gate-');
  const root = path.join(base, 'table');
  const outside = path.join(base, 'outside');
  await writeDeltaTable(root, idBatch([1, 2]), { properties: { 'delta.enableChangeDataFeed': 'true' } }); // cdc actions are read only where change data is recorded
  await writeDeltaTable(outside, idBatch([666]));
  const [file] = await (await DeltaTable.open(outside)).files();
  return { base, root, canary: path.join(outside, file!.path) };
}

async function commit(root: string, version: number, actions: object[]): Promise<void> {
  const name = `${String(version).padStart(20, '0')}.json`;
  await writeFile(path.join(root, '_delta_log', name), actions.map((a) => JSON.stringify(a) + '\n').join(''));
}

/** Opens and scans through a recording store; the outcome and every call made. */
async function readRecorded(root: string, column = 'id'): Promise<{ calls: string[]; ids?: number[]; error?: unknown }> {
  const store = recordingStore(new LocalStore(root));
  try {
    const snapshot = await loadSnapshot(store);
    const ids: number[] = [];
    for await (const b of scanSnapshot(snapshot, { columns: [column] })) for (const v of b.getChild(column)!) ids.push(Number(v));
    return { calls: store.calls, ids: ids.sort((a, b) => a - b) };
  } catch (error) {
    return { calls: store.calls, error };
  }
}

function assertNeverTouched(calls: string[], marker: string): void {
  const hits = calls.filter((c) => c.includes(marker));
  assert.deepEqual(hits, [], `store calls naming ${marker}`);
}

const add = (p: string) => ({ add: { path: p, partitionValues: {}, size: 500, modificationTime: 0, dataChange: true } });
const remove = (p: string) => ({ remove: { path: p, deletionTimestamp: 0, dataChange: true } });

test('add and remove paths that climb out of the root (plain, percent-encoded, via ..//) are CORRUPT_LOG and never read', async () => {
  const { root, canary } = await tableBesideCanary();
  const name = path.basename(canary);
  const evils = [
    `../outside/${name}`,
    `%2E%2E%2Foutside%2F${name}`,
    `x/../../outside/${name}`,
    `..//${path.dirname(canary).slice(1)}/${name}`,
    `%2E%2E%2F%2F${encodeURI(path.dirname(canary).slice(1))}/${name}`,
  ];
  for (const evil of evils) {
    for (const action of [add(evil), remove(evil)]) {
      await commit(root, 1, [action]);
      const r = await readRecorded(root);
      assert.ok(corrupt(/escapes the table root/)(r.error), `${JSON.stringify(action)}: ${String(r.error)}`);
      assertNeverTouched(r.calls, name);
    }
  }
});

test('a cdc path that climbs out of the root is CORRUPT_LOG and never read', async () => {
  const { root, canary } = await tableBesideCanary();
  const name = path.basename(canary);
  await commit(root, 1, [{ commitInfo: { operation: 'WRITE' } }, { cdc: { path: `_change_data/../../outside/${name}`, partitionValues: {}, size: 500, dataChange: false } }]);
  const store = recordingStore(new LocalStore(root));
  const snapshot = await loadSnapshot(store);
  await assert.rejects(readChanges(snapshot, { startingVersion: 1 }), corrupt(/escapes the table root/));
  assertNeverTouched(store.calls, name);
});

test('a deletion vector whose u path climbs out of the root is CORRUPT_LOG and its file is never read', async () => {
  const base = await tempDir('dlts-gate-dv-');
  const root = path.join(base, 'table');
  await cp(path.join(corpusRoot, 'tables', 'table-with-dv-small'), root, { recursive: true });
  const dvName = (await readdir(root)).find((f) => f.startsWith('deletion_vector_'))!;
  await mkdir(path.join(base, 'outside'));
  await rename(path.join(root, dvName), path.join(base, 'outside', dvName));
  const commitFile = path.join(root, '_delta_log', '00000000000000000001.json');
  const text = await readFile(commitFile, 'utf8');
  await writeFile(commitFile, text.replace('"pathOrInlineDv":"vBn[', '"pathOrInlineDv":"../outsidevBn['));
  const r = await readRecorded(root, 'value');
  assert.ok(corrupt(/deletion vector path .* escapes the table root/)(r.error), String(r.error));
  assertNeverTouched(r.calls, dvName);
});

test('V2 checkpoint sidecar paths outside _delta_log/_sidecars (relative, encoded, absolute) are never read: the older checkpoint serves', async () => {
  const base = await tempDir('dlts-gate-sidecar-');
  const root = path.join(base, 'table');
  await cp(path.join(corpusRoot, 'tables', 'v2-checkpoints-json-with-sidecars'), root, { recursive: true });
  const expected = (await readRecorded(root)).ids!;
  assert.ok(expected.length > 0);
  const logDir = path.join(root, '_delta_log');
  const manifest = path.join(logDir, (await readdir(logDir)).filter((f) => /^0+6\.checkpoint\..*\.json$/.test(f))[0]!);
  const original = await readFile(manifest, 'utf8');
  const sidecar = /"sidecar":\{"path":"([^"]+)"/.exec(original)![1]!;
  await mkdir(path.join(base, 'outside'));
  await cp(path.join(logDir, '_sidecars', sidecar), path.join(base, 'outside', 'canary.parquet'));
  for (const evil of [
    '../../../outside/canary.parquet',
    '%2E%2E%2F%2E%2E%2F%2E%2E%2Foutside%2Fcanary.parquet',
    `file://${path.join(base, 'outside', 'canary.parquet')}`,
    '../../../outside/canary%zz.parquet',
  ]) {
    await writeFile(manifest, original.replaceAll(`"path":"${sidecar}"`, `"path":"${evil}"`));
    const r = await readRecorded(root);
    assert.deepEqual(r.ids, expected, `${evil}: ${String(r.error)}`);
    assertNeverTouched(r.calls, 'canary');
    assertNeverTouched(r.calls, 'outside');
  }
});

test('a store never writes, lists or deletes through .. or an absolute location, whatever it is asked', async () => {
  const { root, canary } = await tableBesideCanary();
  const store = new LocalStore(root);
  const rel = path.relative(root, canary).split(path.sep).join('/');
  const refused = (e: unknown) => e instanceof DeltaError && e.code === 'INVALID_ARGUMENT' && /only writes, lists and deletes under its root/.test(e.message);
  const before = await readFile(canary);
  for (const p of [rel, `file://${canary}`]) {
    await assert.rejects(store.delete(p), refused);
    await assert.rejects(store.put(p, new Uint8Array([1])), refused);
    await assert.rejects(store.putIfAbsent(p, new Uint8Array([1])), refused);
    await assert.rejects(async () => { for await (const _ of store.list(p)) void _; }, refused);
  }
  assert.deepEqual(await readFile(canary), before);
  // Reading an absolute location of the same kind is allowed (shallow clones); '..' is not.
  assert.deepEqual(await store.get(`file://${canary}`), before);
  await assert.rejects(store.get(rel), refused);
});
