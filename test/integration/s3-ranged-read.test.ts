import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Float64, Int64 } from 'apache-arrow';
import { DeltaTable, writeDeltaTable, type StorageOptions } from '../../src/index.js';
import { RANGED_READ_MIN_BYTES } from '../../src/ops/read/read-data-file.js';
import { S3Proxy, kindOf } from '../support/s3-proxy.js';
import { freshS3Uri, s3Options, s3TestOptions } from '../support/s3.js';
import { batchOf } from '../support/temp.js';

const ROWS = 2_200_000; // three row groups of at most 1Mi rows in one data file

describe('large data files on S3 are read by ranges (through a counting proxy in front of RGW)', s3TestOptions, () => {
  let proxy: S3Proxy;
  let storage: StorageOptions;
  const uri = freshS3Uri();
  let fileBytes = 0;
  before(async () => {
    proxy = new S3Proxy(s3Options().endpoint!);
    storage = { ...s3Options(), endpoint: await proxy.start() };
    const batches = Array.from({ length: 11 }, (_, k) => batchOf({
      id: { type: new Int64(), values: Array.from({ length: ROWS / 11 }, (_, i) => BigInt(k * (ROWS / 11) + i)) },
      value: { type: new Float64(), values: Array.from({ length: ROWS / 11 }, (_, i) => Math.sin(k * (ROWS / 11) + i)) },
    }));
    await writeDeltaTable(uri, batches, { storage });
    const files = await (await DeltaTable.open(uri, { storage })).files();
    assert.equal(files.length, 1);
    fileBytes = files[0]!.size;
    assert.ok(fileBytes >= RANGED_READ_MIN_BYTES, `data file ${fileBytes} bytes`);
  });
  after(async () => proxy.stop());

  const dataGets = (): Array<{ url: string; responseBytes: number }> =>
    proxy.seen.filter((r) => kindOf(r) === 'GET' && r.url.includes('.parquet') && !r.url.includes('_delta_log'));

  test('one column of every row: the footer tail, then that column\'s chunks only', async () => {
    const table = await DeltaTable.open(uri, { storage });
    proxy.seen.length = 0;
    const ids = (await table.toArrow({ columns: ['id'] })).getChild('id')!;
    assert.equal(ids.length, ROWS);
    assert.equal(Number(ids.get(ROWS - 1)), ROWS - 1);
    const gets = dataGets();
    const fetched = gets.reduce((s, r) => s + r.responseBytes, 0);
    assert.ok(gets.length >= 2, 'ranged GETs, not one whole-object GET');
    assert.ok(fetched < fileBytes * 0.75, `fetched ${fetched} of ${fileBytes} bytes for one of two columns`);
    console.log(`ranged read, 1 of 2 columns: ${gets.length} GETs, ${fetched} of ${fileBytes} bytes`);
  });

  test('a filter on id reads only the row groups whose footer min/max can match, and returns exactly the matching rows', async () => {
    const table = await DeltaTable.open(uri, { storage });
    proxy.seen.length = 0;
    const out = await table.toArrow({ columns: ['id', 'value'], filter: [['id', '>=', 2_150_000]] });
    assert.equal(out.numRows, ROWS - 2_150_000);
    assert.equal(Number(out.getChild('id')!.get(0)), 2_150_000);
    assert.equal(out.getChild('value')!.get(0), Math.sin(2_150_000));
    const fetched = dataGets().reduce((s, r) => s + r.responseBytes, 0);
    console.log(`ranged read, id >= 2150000: ${dataGets().length} GETs, ${fetched} of ${fileBytes} bytes`);
    assert.ok(fetched < fileBytes / 4, `fetched ${fetched} of ${fileBytes} bytes: only the last row group`);
  });
});
