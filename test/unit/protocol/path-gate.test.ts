import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaError } from '../../../src/errors.js';
import type { DeletionVectorDescriptor } from '../../../src/protocol/actions.js';
import { z85Encode } from '../../../src/protocol/deletion-vector.js';
import { dataStorePath, dvLocation, joinedPathsMayNeedWork, logPathKey, resolveLogPath, sidecarStorePath } from '../../../src/protocol/path-gate.js';

const LOCAL = 'file:///data/my%20table';
const S3 = 's3://bucket/tables/t';

const rejects = (fn: () => unknown, code: string, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof DeltaError && e.code === code && re.test(e.message) && !!e.hint);
};

test('relative log paths are decoded once and normalized inside the root', () => {
  assert.deepEqual(resolveLogPath('part-0.parquet', LOCAL), { kind: 'table', path: 'part-0.parquet' });
  assert.deepEqual(resolveLogPath('a%20b/c%253A.parquet', LOCAL), { kind: 'table', path: 'a b/c%3A.parquet' });
  assert.deepEqual(resolveLogPath('x/./y//../z.parquet', LOCAL), { kind: 'table', path: 'x/z.parquet' });
  assert.deepEqual(resolveLogPath('%E2%82%AC.parquet', LOCAL), { kind: 'table', path: '\u20ac.parquet' });
});

test('relative paths that climb above the root with .. are CORRUPT_LOG, encoded or not', () => {
  for (const evil of ['../x.parquet', '%2E%2E%2Fx.parquet', 'a/../../x.parquet', '..//etc/passwd', '%2E%2E%2F%2Fetc/passwd', '..', 'a/%2e%2e/%2e%2e/x']) {
    rejects(() => resolveLogPath(evil, LOCAL), 'CORRUPT_LOG', /escapes the table root/);
  }
});

test('a malformed percent escape or a NUL is CORRUPT_LOG, not a URIError', () => {
  rejects(() => resolveLogPath('a%zz.parquet', LOCAL), 'CORRUPT_LOG', /malformed '%' escape/);
  rejects(() => resolveLogPath('a%2', LOCAL), 'CORRUPT_LOG', /malformed '%' escape/);
  rejects(() => resolveLogPath('a%00.parquet', LOCAL), 'CORRUPT_LOG', /NUL/);
  rejects(() => sidecarStorePath('%E0%A4%A', LOCAL), 'CORRUPT_LOG', /malformed '%' escape/);
});

test('absolute paths under the root become relative; elsewhere on the same store kind they stay absolute', () => {
  assert.deepEqual(resolveLogPath('file:/data/my%20table/a.parquet', LOCAL), { kind: 'table', path: 'a.parquet' });
  assert.deepEqual(resolveLogPath('file:///data/my%20table/x/../b.parquet', LOCAL), { kind: 'table', path: 'b.parquet' });
  assert.deepEqual(resolveLogPath('/data/my%20table/c.parquet', LOCAL), { kind: 'table', path: 'c.parquet' });
  assert.deepEqual(resolveLogPath('file:/src/t/p%20q.parquet', LOCAL), { kind: 'absolute', uri: 'file:///src/t/p q.parquet' });
  assert.deepEqual(resolveLogPath('file://localhost/src/a.parquet', LOCAL), { kind: 'absolute', uri: 'file:///src/a.parquet' });
  // The root's own prefix is not a parent of a sibling with a longer name.
  assert.deepEqual(resolveLogPath('file:///data/my%20table2/a.parquet', LOCAL), { kind: 'absolute', uri: 'file:///data/my table2/a.parquet' });
  assert.deepEqual(resolveLogPath('s3a://bucket/tables/t/a.parquet', S3), { kind: 'table', path: 'a.parquet' });
  assert.deepEqual(resolveLogPath('s3://other/k/a.parquet', S3), { kind: 'absolute', uri: 's3://other/k/a.parquet' });
});

test('an absolute URI of another scheme is readable by nobody: UNSUPPORTED_FEATURE when read, a key when only replayed', () => {
  for (const [raw, root] of [['s3://b/a.parquet', LOCAL], ['https://h/a.parquet', LOCAL], ['file:///x/a.parquet', S3], ['file://host/a.parquet', LOCAL]] as const) {
    assert.equal(resolveLogPath(raw, root).kind, 'foreign');
    rejects(() => dataStorePath(raw, root), 'UNSUPPORTED_FEATURE', /cannot read/);
  }
  assert.equal(logPathKey('s3a://b/x/a.parquet', LOCAL), 's3://b/x/a.parquet');
});

test('path identity: every spelling of one file gives one key', () => {
  const spellings = ['file:/src/t/a%20b.parquet', 'file:///src/t/a%20b.parquet', '/src/t/a b.parquet', 'file:/src/t/x/../a%20b.parquet'];
  assert.deepEqual(new Set(spellings.map((s) => logPathKey(s, LOCAL))), new Set(['file:///src/t/a b.parquet']));
  assert.equal(logPathKey('file:///data/my%20table/p.parquet', LOCAL), logPathKey('p.parquet', LOCAL));
});

test('sidecar paths resolve under _delta_log/_sidecars/ and may not leave it', () => {
  assert.equal(sidecarStorePath('a%20b.parquet', LOCAL), '_delta_log/_sidecars/a b.parquet');
  assert.equal(sidecarStorePath('file:///data/my%20table/_delta_log/_sidecars/s.json', LOCAL), '_delta_log/_sidecars/s.json');
  for (const evil of ['../../x.json', '%2E%2E%2F%2E%2E%2F%2E%2E%2Fx.json', '../00000000000000000001.json', 'file:///tmp/x.json', '/tmp/x.json']) {
    rejects(() => sidecarStorePath(evil, LOCAL), 'CORRUPT_LOG', /sidecar path/);
  }
});

test('deletion vector files: u is relative and confined, p absolute, i has none', () => {
  const uuid = z85Encode(new Uint8Array(16).fill(7));
  const dv = (storageType: 'u' | 'p' | 'i', pathOrInlineDv: string): DeletionVectorDescriptor => ({ storageType, pathOrInlineDv, offset: 1, sizeInBytes: 1, cardinality: 1 });
  assert.equal(dvLocation(dv('i', 'abc'), LOCAL), undefined);
  assert.deepEqual(dvLocation(dv('u', 'ab' + uuid), LOCAL), { kind: 'table', path: 'ab/deletion_vector_07070707-0707-0707-0707-070707070707.bin' });
  rejects(() => dvLocation(dv('u', '../..' + uuid), LOCAL), 'CORRUPT_LOG', /escapes the table root/);
  // A 'u' prefix is never a URI: a scheme or a leading '/' stays inside the table.
  assert.deepEqual(dvLocation(dv('u', '/etc' + uuid), LOCAL), { kind: 'table', path: 'etc/deletion_vector_07070707-0707-0707-0707-070707070707.bin' });
  assert.deepEqual(dvLocation(dv('p', 'file:/src/t/dv%201.bin'), LOCAL), { kind: 'absolute', uri: 'file:///src/t/dv 1.bin' });
  assert.deepEqual(dvLocation(dv('p', 'file:/data/my%20table/d/dv.bin'), LOCAL), { kind: 'table', path: 'd/dv.bin' });
  rejects(() => dvLocation(dv('p', 'dv.bin'), LOCAL), 'CORRUPT_LOG', /absolute path/);
});

test('paths the joined-text check clears (and that start with neither / nor .) pass the gate unchanged, alone or joined', () => {
  const piece = fc.constantFrom('a', 'p=1', '/', '.', '..', '%', '%2F', ':', 's3:', '\u0000', 'é', '😀', '_', '-', 'x.parquet');
  const pathOf = fc.array(piece, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
  fc.assert(fc.property(fc.array(pathOf, { minLength: 1, maxLength: 5 }), (paths) => {
    const cleared = !joinedPathsMayNeedWork(paths.join('')) && paths.every((p) => !p.startsWith('/') && !p.startsWith('.'));
    if (!cleared) return;
    for (const p of paths) {
      assert.deepEqual(resolveLogPath(p, LOCAL), { kind: 'table', path: p });
      assert.equal(dataStorePath(p, S3), p);
    }
  }), { numRuns: 2000 });
});
