import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { exposeInt96 } from '../../../src/format/int96.js';
import { readParquetBytes } from '../../../src/format/parquet.js';
import { readStruct, writeStruct } from '../../../src/format/thrift-compact.js';
import { corpusRoot } from '../../support/paths.js';

async function parquetFiles(table: string): Promise<string[]> {
  const root = path.join(corpusRoot, 'tables', table);
  const entries = await readdir(root, { recursive: true });
  return entries.filter((e) => e.endsWith('.parquet') && !e.includes('_delta_log')).map((e) => path.join(root, e));
}

function footer(bytes: Uint8Array): Uint8Array {
  const len = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true);
  return bytes.subarray(bytes.length - 8 - len, bytes.length - 8);
}

test('Parquet footers written by Spark and delta-rs decode and re-encode byte for byte', async () => {
  let checked = 0;
  for (const table of ['parquet-all-types', 'kernel-timestamp-int96', 'table_with_edge_timestamps', 'dat-multi_partitioned']) {
    for (const f of await parquetFiles(table)) {
      const raw = footer(await readFile(f));
      assert.deepEqual(Buffer.from(writeStruct(readStruct(raw).value)), Buffer.from(raw), f);
      checked++;
    }
  }
  assert.ok(checked >= 4);
});

test('INT96 timestamps at year 9999 read as exact microseconds after the footer rewrite', async () => {
  const micros: string[] = [];
  for (const file of await parquetFiles('table_with_edge_timestamps')) {
    const bytes = await readFile(file);
    assert.deepEqual([...exposeInt96(bytes)!.columns].sort(), ['BIG_DATE', 'NORMAL_DATE']);
    for (const batch of readParquetBytes(bytes)) {
      const big = batch.getChild('BIG_DATE')!.data[0]!.values as BigInt64Array;
      micros.push(...[...big].map((v) => new Date(Number(v / 1000n)).toISOString()));
    }
  }
  micros.sort();
  assert.deepEqual(micros, ['9999-12-30T00:00:00.000Z', '9999-12-31T00:00:00.000Z']);
});

test('a file without INT96 columns is left untouched', async () => {
  const [file] = await parquetFiles('dat-basic_append');
  assert.equal(exposeInt96(await readFile(file!)), undefined);
});
