import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeltaTable, writeDeltaTable, type StorageOptions } from '../../src/index.js';
import { S3Store } from '../../src/storage/s3-store.js';
import { parseTableUri } from '../../src/storage/store-for-url.js';
import { freshS3Uri, s3Options, s3TestOptions } from '../support/s3.js';
import { idBatch } from '../support/temp.js';

const storage: StorageOptions = s3Options();

function storeOf(uri: string): S3Store {
  const loc = parseTableUri(uri) as { bucket: string; prefix: string };
  return new S3Store(loc.bucket, loc.prefix, storage);
}

async function keysUnder(store: S3Store): Promise<string[]> {
  const out: string[] = [];
  for await (const m of store.list('')) out.push(`${m.path} ${m.sizeBytes}`);
  return out;
}

describe('absolute s3:// paths (shallow clones on S3)', () => {
  test('an s3 clone reads the source files its log adds by absolute s3a:// URI, and vacuum or overwrite never touch them', s3TestOptions, async () => {
    const sourceUri = freshS3Uri('source');
    const cloneUri = freshS3Uri('clone');
    await writeDeltaTable(sourceUri, idBatch([1, 2]), { storage });
    const sourceStore = storeOf(sourceUri);
    const v0 = new TextDecoder().decode(await sourceStore.get('_delta_log/00000000000000000000.json'))
      .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    const lines = v0.filter((l) => l['protocol'] || l['metaData'] || l['add']).map((l) => (l['add']
      ? { add: { ...l['add'], path: `${sourceUri.replace(/^s3:/, 's3a:')}/${l['add']['path'] as string}` } }
      : l));
    await storeOf(cloneUri).put('_delta_log/00000000000000000000.json', new TextEncoder().encode(lines.map((l) => JSON.stringify(l) + '\n').join('')));
    const before = await keysUnder(sourceStore);
    const read = async (): Promise<number[]> => [...(await (await DeltaTable.open(cloneUri, { storage })).toArrow()).getChild('id')!].map(Number).sort((a, b) => a - b);
    assert.deepEqual(await read(), [1, 2]);
    await writeDeltaTable(cloneUri, idBatch([7]), { mode: 'overwrite', storage });
    const vac = await (await DeltaTable.open(cloneUri, { storage })).vacuum({ dryRun: false, retentionHours: 0, enforceRetention: false, now: () => Date.now() + 1e10 });
    assert.ok(vac.files.every((f) => !f.includes('source')), vac.files.join());
    assert.deepEqual(await read(), [7]);
    assert.deepEqual(await keysUnder(sourceStore), before);
  });
});
