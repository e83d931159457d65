import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { cleanupExpiredLogs } from '../../src/ops/write/log-cleanup.js';
import { corpusRoot } from '../support/paths.js';
import { tableIds } from '../support/read.js';
import { idBatch, tempDir } from '../support/temp.js';

/*
 * A shallow-clone layout: a source table written by us, and a clone whose log adds the source's
 * files by absolute URI (as Spark's SHALLOW CLONE writes them). The clone reads them; no
 * command on the clone ever writes, deletes or changes a file of the source.
 */

type Line = Record<string, Record<string, unknown>>;

async function logLines(root: string, version: number): Promise<Line[]> {
  const text = await readFile(path.join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line);
}

async function writeLog(root: string, version: number, lines: object[]): Promise<void> {
  await writeFile(path.join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`), lines.map((l) => JSON.stringify(l) + '\n').join(''), { flag: 'wx' });
}

/** `file:/abs/path` (Spark's spelling) or `file:///abs/path`, URL-encoded. */
function fileUri(p: string, spelling: 'spark' | 'triple'): string {
  const href = pathToFileURL(p).href;
  return spelling === 'triple' ? href : href.replace(/^file:\/\/\//, 'file:/');
}

/** Every file under `dir` with its content hash and mtime: what must not change. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    const st = await stat(p);
    out[path.relative(dir, p)] = `${createHash('sha256').update(await readFile(p)).digest('hex')} ${st.mtimeMs}`;
  }
  return out;
}

/**
 * base/source ("source dir with spaces"): ids 1-3 in one file, 4-5 in another, plus an untracked
 * old canary file; base/clone: version 0 adds both source files by absolute URI.
 */
async function shallowClone(): Promise<{ source: string; clone: string; sourceFiles: string[] }> {
  const base = await tempDir('dlts-abs-');
  const source = path.join(base, 'source dir with spaces');
  const clone = path.join(base, 'clone');
  await writeDeltaTable(source, idBatch([1, 2, 3]));
  await writeDeltaTable(source, idBatch([4, 5]), { mode: 'append' });
  const canary = path.join(source, 'part-00000-canary-untracked.parquet');
  await writeFile(canary, 'not referenced by any log');
  await utimes(canary, new Date(0), new Date(0));
  const v0 = await logLines(source, 0);
  const v1 = await logLines(source, 1);
  const adds = [...v0, ...v1].filter((l) => l['add']).map((l) => l['add']!);
  const sourceFiles = adds.map((a) => path.join(source, decodeURIComponent(a['path'] as string)));
  await mkdir(path.join(clone, '_delta_log'), { recursive: true });
  await writeLog(clone, 0, [
    { commitInfo: { operation: 'CLONE', operationParameters: { source, isShallow: 'true' } } },
    ...v0.filter((l) => l['protocol'] || l['metaData']),
    { add: { ...adds[0], path: fileUri(sourceFiles[0]!, 'spark') } },
    { add: { ...adds[1], path: fileUri(sourceFiles[1]!, 'triple') } },
  ]);
  return { source, clone, sourceFiles };
}

test('a shallow clone reads the source files its log adds by absolute file: URI', async () => {
  const { clone } = await shallowClone();
  assert.deepEqual(await tableIds(clone), [1, 2, 3, 4, 5]);
  const files = await (await DeltaTable.open(clone)).files();
  assert.equal(files.length, 2);
});

test('a remove spelled differently from its absolute add (file:/, file:///, plain path) removes it', async () => {
  for (const spelling of ['triple', 'plain', 'dotted'] as const) {
    const { clone, sourceFiles } = await shallowClone();
    const p = sourceFiles[0]!;
    const removed = spelling === 'triple' ? fileUri(p, 'triple') : spelling === 'plain' ? encodeURI(p) : `file:${encodeURI(`${path.dirname(p)}/x/../${path.basename(p)}`)}`;
    await writeLog(clone, 1, [{ remove: { path: removed, deletionTimestamp: Date.now(), dataChange: true } }]);
    assert.deepEqual(await tableIds(clone), [4, 5], spelling);
    assert.deepEqual(await tableIds(clone, 0), [1, 2, 3, 4, 5]);
  }
});

test('vacuum, overwrite, restore, checkpoint, log cleanup and doctor on a clone never touch the source files', async () => {
  const { source, clone, sourceFiles } = await shallowClone();
  const before = await fingerprint(source);
  const farFuture = Date.now() + 400 * 24 * 3_600_000;
  // Remove one source file in the clone, so it is a tombstone older than any retention.
  await writeLog(clone, 1, [{ remove: { path: fileUri(sourceFiles[0]!, 'triple'), deletionTimestamp: 0, dataChange: true } }]);
  const vac = await (await DeltaTable.open(clone)).vacuum({ dryRun: false, retentionHours: 0, enforceRetention: false, now: () => farFuture });
  assert.deepEqual(vac.files, []);
  await writeDeltaTable(clone, idBatch([9]), { mode: 'append' });
  assert.deepEqual(await tableIds(clone), [4, 5, 9]);
  await writeDeltaTable(clone, idBatch([7]), { mode: 'overwrite' });
  assert.deepEqual(await tableIds(clone), [7]);
  const vac2 = await (await DeltaTable.open(clone)).vacuum({ dryRun: false, retentionHours: 0, enforceRetention: false, now: () => farFuture });
  // Only the clone's own files go: the data file of id 9 (written into the clone's root).
  assert.equal(vac2.files.length, 1);
  assert.ok(!vac2.files[0]!.includes('source'), vac2.files[0]);
  // Restoring version 1 re-adds the absolute path of the source's second file: it exists, so restore proceeds.
  await (await DeltaTable.open(clone)).restore({ version: 1 });
  assert.deepEqual(await tableIds(clone), [4, 5]);
  const doctor = await (await DeltaTable.open(clone)).doctor({ repair: true });
  assert.deepEqual(doctor.problems, []);
  await (await DeltaTable.open(clone)).checkpoint();
  const cleanup = await cleanupExpiredLogs((await DeltaTable.open(clone)).snapshot.store, {}, { now: () => farFuture });
  assert.ok(cleanup.deleted.every((p) => p.startsWith('_delta_log/')), cleanup.deleted.join());
  await (await DeltaTable.open(clone)).vacuum({ dryRun: false, retentionHours: 0, enforceRetention: false, now: () => farFuture });
  assert.deepEqual(await tableIds(clone), [4, 5]);
  assert.deepEqual(await fingerprint(source), before);
  assert.deepEqual(await tableIds(source), [1, 2, 3, 4, 5]);
});

test('doctor on a clone whose absolute file is gone reports it and repairs only the clone log', async () => {
  const { source, clone, sourceFiles } = await shallowClone();
  await rm(sourceFiles[0]!);
  const before = await fingerprint(source);
  const report = await (await DeltaTable.open(clone)).doctor({ repair: true });
  assert.deepEqual(report.problems.map((p) => p.kind), ['missing-file']);
  assert.equal(report.repairedVersion, 1);
  assert.deepEqual(await tableIds(clone), [4, 5]);
  assert.deepEqual(await fingerprint(source), before);
});

test('deletion vectors with absolute paths (storage type p) are read', async () => {
  const base = await tempDir('dlts-abs-dv-');
  const source = path.join(base, 'source');
  const clone = path.join(base, 'clone');
  await cp(path.join(corpusRoot, 'tables', 'table-with-dv-small'), source, { recursive: true });
  const lines = [...await logLines(source, 0), ...await logLines(source, 1)];
  const add = lines.filter((l) => l['add']).at(-1)!['add']!;
  const dvFile = (await readdir(source)).find((f) => f.startsWith('deletion_vector_'))!;
  await mkdir(path.join(clone, '_delta_log'), { recursive: true });
  await writeLog(clone, 0, [
    ...lines.filter((l) => l['protocol'] || l['metaData']),
    { add: {
      ...add, path: fileUri(path.join(source, add['path'] as string), 'spark'),
      deletionVector: { ...(add['deletionVector'] as object), storageType: 'p', pathOrInlineDv: fileUri(path.join(source, dvFile), 'spark') },
    } },
  ]);
  const values = [...(await (await DeltaTable.open(clone)).toArrow()).getChild('value')!].map(Number).sort((a, b) => a - b);
  assert.deepEqual(values, [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('an absolute path of another scheme is UNSUPPORTED_FEATURE when live, and harmless once removed', async () => {
  const { clone } = await shallowClone();
  const foreign = { add: { path: 's3://bucket/t/part-0.parquet', partitionValues: {}, size: 10, modificationTime: 0, dataChange: true } };
  await writeLog(clone, 1, [foreign]);
  await assert.rejects(DeltaTable.open(clone), (e: unknown) => e instanceof DeltaError && e.code === 'UNSUPPORTED_FEATURE'
    && /s3:\/\/bucket\/t\/part-0\.parquet is a s3: location/.test(e.message) && /copy the file into the table/.test(e.hint!));
  await writeLog(clone, 2, [{ remove: { path: 's3a://bucket/t/part-0.parquet', deletionTimestamp: 0, dataChange: true } }]);
  assert.deepEqual(await tableIds(clone), [1, 2, 3, 4, 5]);
});
