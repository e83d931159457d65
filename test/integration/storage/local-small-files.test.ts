import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createWithBytes, readSmallSync, SMALL_FILE_BYTES } from '../../../src/storage/local-small-files.js';
import { LocalStore } from '../../../src/storage/local-store.js';
import { tempDir } from '../../support/temp.js';

// Sizes on both sides of the line between synchronous and asynchronous I/O, and the edges.
const SIZES = [0, 1, 4095, SMALL_FILE_BYTES - 1, SMALL_FILE_BYTES, SMALL_FILE_BYTES + 1, 3 * SMALL_FILE_BYTES + 7];

test('get, put, putIfAbsent and putUnique keep every byte on both sides of the small-file size', async () => {
  const store = new LocalStore(await tempDir('dlts-small-'));
  for (const size of SIZES) {
    const bytes = randomBytes(size);
    await store.put(`put/${size}.bin`, bytes);
    assert.equal(await store.putIfAbsent(`_delta_log/${size}.json`, bytes), 'created');
    assert.equal(await store.putIfAbsent(`_delta_log/${size}.json`, randomBytes(size + 1)), 'exists');
    const { durable } = await store.putUnique(`part/${size}.parquet`, bytes);
    await durable;
    for (const p of [`put/${size}.bin`, `_delta_log/${size}.json`, `part/${size}.parquet`]) {
      assert.deepEqual(Buffer.from(await store.get(p)), bytes, `${p}: ${size} bytes`);
      assert.equal((await store.head(p))?.sizeBytes, size, p);
    }
  }
  // No temp file is left by any of them.
  const names = await readdir(path.join(store.root, '_delta_log'));
  assert.deepEqual(names.filter((n) => n.endsWith('.tmp')), []);
});

test('readSmallSync reads files up to SMALL_FILE_BYTES whole and leaves larger ones to the caller', async () => {
  const dir = await tempDir('dlts-small-read-');
  for (const size of SIZES) {
    const file = path.join(dir, `${size}.bin`);
    const bytes = randomBytes(size);
    await writeFile(file, bytes);
    const read = readSmallSync(file);
    if (size > SMALL_FILE_BYTES) assert.equal(read, undefined, `${size} bytes are read asynchronously`);
    else assert.deepEqual(Buffer.from(read!), bytes, `${size} bytes`);
  }
  assert.throws(() => readSmallSync(path.join(dir, 'absent.bin')), { code: 'ENOENT' });
});

test('createWithBytes never replaces a file, and makes missing folders', async () => {
  const dir = await tempDir('dlts-small-create-');
  for (const size of [10, SMALL_FILE_BYTES + 1]) {
    const file = path.join(dir, `deep/er/${size}.bin`);
    const first = await createWithBytes(file, randomBytes(size));
    await first.sync();
    await first.close();
    await first.close(); // a second close is harmless
    const before = await readFile(file);
    await assert.rejects(createWithBytes(file, randomBytes(size)), { code: 'EEXIST' });
    assert.deepEqual(await readFile(file), before, 'the first file is kept');
  }
});
