import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { LocalStore } from '../../../src/storage/local-store.js';
import { parseTableUri } from '../../../src/storage/store-for-url.js';
import { runObjectStoreContract } from '../../support/object-store-contract.js';

runObjectStoreContract('local disk', async () => new LocalStore(await mkdtemp(path.join(os.tmpdir(), 'dlts-store-'))));

test('file:// URIs and plain paths name the same local root', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dlts-uri-'));
  assert.deepEqual(parseTableUri(pathToFileURL(dir).href), { kind: 'local', root: dir });
  assert.deepEqual(parseTableUri(dir), { kind: 'local', root: dir });
  assert.deepEqual(parseTableUri('s3://bucket/some/prefix/'), { kind: 's3', bucket: 'bucket', prefix: 'some/prefix' });
});
