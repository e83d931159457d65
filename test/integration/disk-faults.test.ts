import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { Binary, Int64 } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { repoRoot } from '../support/paths.js';
import { batchOf, idBatch, tempDir } from '../support/temp.js';

// Real faults on real file systems: a small tmpfs that fills up (ENOSPC), the same tmpfs
// remounted read-only (EROFS), a file deleted under a reader, and a file this process may not
// read (EACCES, as an unprivileged child: root reads everything). Mounting needs root; CI runs
// as root, and elsewhere these tests skip saying why.

const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
const skip = canMount ? false : 'needs root to mount a tmpfs';

async function withTmpfs(sizeBytes: number, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir('dlts-tmpfs-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
  assert.equal(mounted.status, 0, `mount failed: ${mounted.stderr}`);
  try {
    await fn(dir);
  } finally {
    spawnSync('umount', ['-l', dir]);
    await rm(dir, { recursive: true, force: true });
  }
}

function remount(dir: string, options: string): void {
  const r = spawnSync('mount', ['-o', `remount,${options}`, dir]);
  assert.equal(r.status, 0, `remount ${options} failed: ${r.stderr}`);
}

/** A batch of `n` ids, each with 64 KiB of incompressible bytes, to fill a disk quickly. */
function heavyBatch(ids: number[]): ReturnType<typeof batchOf> {
  return batchOf({
    id: { type: new Int64(), values: ids.map(BigInt) },
    blob: { type: new Binary(), values: ids.map(() => randomBytes(64 * 1024)) },
  });
}

async function ids(uri: string): Promise<number[]> {
  const data = await (await DeltaTable.open(uri)).toArrow({ columns: ['id'] });
  return [...data.getChild('id')!].map(Number).sort((a, b) => a - b);
}

async function tempFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.tmp')) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

function assertStorageFailure(errno: string): (err: any) => boolean {
  return (err) => {
    assert.equal(err.name, 'DeltaError', `a DeltaError, not ${err.name}: ${err.message}`);
    assert.equal(err.code, 'STORAGE_FAILURE');
    assert.equal(err.cause?.code, errno);
    assert.ok(err.hint && !/credentials/.test(err.hint), `a hint about ${errno}: ${err.hint}`);
    return true;
  };
}

test('a disk that fills up mid-append, mid-checkpoint and mid-vacuum gives STORAGE_FAILURE (ENOSPC), keeps every acknowledged commit and leaves no temp file', { skip }, async () => {
  await withTmpfs(3 * 1024 * 1024, async (mnt) => {
    const uri = path.join(mnt, 'table');
    await writeDeltaTable(uri, heavyBatch([0]));
    const acked = [0];
    let failure: unknown;
    for (let i = 1; i < 100 && !failure; i++) {
      try {
        await writeDeltaTable(uri, heavyBatch([i * 10, i * 10 + 1]), { mode: 'append' });
        acked.push(i * 10, i * 10 + 1);
      } catch (err) {
        failure = err;
      }
    }
    assert.ok(failure, 'the disk filled up');
    assertStorageFailure('ENOSPC')(failure);
    assert.deepEqual(await ids(uri), acked);
    assert.deepEqual(await tempFilesUnder(mnt), []);

    // Full to the last byte: an explicit checkpoint and a vacuum both fail typed and change nothing.
    for (let i = 0; ; i++) {
      try { await writeFile(path.join(mnt, `filler-${i}`), randomBytes(4096)); } catch { break; }
    }
    const table = await DeltaTable.open(uri);
    await assert.rejects(table.checkpoint(), assertStorageFailure('ENOSPC'));
    await assert.rejects(table.vacuum({ dryRun: false, retentionHours: 0, enforceRetention: false }), assertStorageFailure('ENOSPC'));
    assert.equal((await DeltaTable.open(uri)).version, table.version);
    assert.deepEqual(await ids(uri), acked);
    assert.deepEqual(await tempFilesUnder(mnt), []);

    // With space again, the table takes the next commit at the next version.
    remount(mnt, 'size=16m');
    const next = await writeDeltaTable(uri, idBatchLike(), { mode: 'append' });
    assert.equal(next.version, table.version + 1);
    assert.deepEqual(await ids(uri), [...acked, 999_999].sort((a, b) => a - b));
  });
});

function idBatchLike(): ReturnType<typeof batchOf> {
  return heavyBatch([999_999]);
}

test('a read-only file system (EROFS): writes, checkpoints, vacuum and a stream checkpoint location fail typed; reads still work', { skip }, async () => {
  await withTmpfs(8 * 1024 * 1024, async (mnt) => {
    const uri = path.join(mnt, 'table');
    await writeDeltaTable(uri, heavyBatch([1, 2]));
    await writeDeltaTable(uri, heavyBatch([3]), { mode: 'append' });
    remount(mnt, 'ro');
    try {
      await assert.rejects(writeDeltaTable(uri, heavyBatch([4]), { mode: 'append' }), assertStorageFailure('EROFS'));
      const table = await DeltaTable.open(uri);
      await assert.rejects(table.checkpoint(), assertStorageFailure('EROFS'));
      await assert.rejects(table.vacuum({ dryRun: false }), assertStorageFailure('EROFS'));
      const reader = DeltaTable.readStream(uri, { checkpointLocation: path.join(mnt, 'checkpoints', 'job') });
      await assert.rejects(reader[Symbol.asyncIterator]().next(), assertStorageFailure('EROFS'));
      assert.equal(table.version, 1);
      assert.deepEqual(await ids(uri), [1, 2, 3]);
    } finally {
      remount(mnt, 'rw');
    }
    assert.deepEqual(await tempFilesUnder(mnt), []);
  });
});

test('a data file deleted under an open table is FILE_NOT_FOUND naming it; the table stays usable', async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]));
  await writeDeltaTable(uri, idBatch([2]), { mode: 'append' });
  const table = await DeltaTable.open(uri);
  const first = new Set((await (await DeltaTable.open(uri, { version: 0 })).files()).map((f) => f.path));
  const victim = (await table.files()).find((f) => !first.has(f.path))!.path; // holds id 2
  await unlink(path.join(uri, victim));
  await assert.rejects(table.toArrow(), (err: any) => {
    assert.equal(err.code, 'FILE_NOT_FOUND');
    assert.ok(err.message.includes(victim), err.message);
    assert.ok(err.hint, 'a hint');
    return true;
  });
  // Reading around the damage still works, and so does repairing it by overwriting.
  const kept = await table.toArrow({ filter: [['id', '=', 1n]] });
  assert.equal(kept.numRows, 1);
  await writeDeltaTable(uri, idBatch([3]), { mode: 'overwrite' });
  assert.deepEqual(await ids(uri), [3]);
});

test('a data file this process may not read is STORAGE_FAILURE (EACCES) naming it, for an unprivileged reader', { skip: process.getuid?.() === 0 ? false : 'needs root to start a reader as another user' }, async () => {
  const uri = await tempDir();
  await writeDeltaTable(uri, idBatch([1]));
  await writeDeltaTable(uri, idBatch([2]), { mode: 'append' });
  const victim = (await (await DeltaTable.open(uri)).files())[0]!.path;
  await chmod(uri, 0o755);
  await chmod(path.join(uri, '_delta_log'), 0o755);
  for (const f of await readdir(path.join(uri, '_delta_log'))) await chmod(path.join(uri, '_delta_log', f), 0o644);
  for (const f of await readdir(uri)) if (f.endsWith('.parquet')) await chmod(path.join(uri, f), 0o644);
  await chmod(path.join(uri, victim), 0o000);
  const script = path.join(await tempDir(), 'read.mjs');
  await mkdir(path.dirname(script), { recursive: true });
  await writeFile(script, `
    import { DeltaTable } from ${JSON.stringify(path.join(repoRoot, 'dist/src/index.js'))};
    try { await (await DeltaTable.open(process.argv[2])).toArrow(); console.log(JSON.stringify({ ok: true })); }
    catch (err) { console.log(JSON.stringify({ name: err.name, code: err.code, errno: err.cause?.code, message: err.message, hint: err.hint })); }
  `);
  await chmod(path.dirname(script), 0o755);
  await chmod(script, 0o644);
  const r = spawnSync(process.execPath, [script, uri], { uid: 65534, gid: 65534, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  assert.equal(out.name, 'DeltaError');
  assert.equal(out.code, 'STORAGE_FAILURE');
  assert.equal(out.errno, 'EACCES');
  assert.ok(out.message.includes(victim), out.message);
  assert.match(out.hint, /permission/);
});
