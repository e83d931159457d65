import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Float64, Int32, Int64, Table, TimestampMicrosecond, Utf8, type RecordBatch } from 'apache-arrow';
import { readParquetBytes, writeParquetBytes } from '../../../src/format/parquet.js';
import { parseFooter, rowGroupInfos } from '../../../src/format/parquet-footer.js';
import { readParquetRanged, type ByteSource } from '../../../src/format/parquet-ranged.js';
import { canonicalRows } from '../../support/canonical.js';
import { corpusRoot } from '../../support/paths.js';
import { batchOf } from '../../support/temp.js';

/** An in-memory file that records every range asked of it. */
function recordingSource(bytes: Uint8Array): ByteSource & { ranges: Array<[number, number]> } {
  const ranges: Array<[number, number]> = [];
  return { sizeBytes: bytes.length, ranges, read: async (s, e) => { ranges.push([s, e]); return bytes.slice(s, e); } };
}

async function collect(it: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

const rows = (batches: RecordBatch[]): unknown[] => (batches.length === 0 ? [] : canonicalRows(new Table(batches)));

/** 400k rows in 8 row groups: id int, x double, name string, ts timestamp. */
function eightRowGroups(): Uint8Array {
  const n = 400_000;
  const batch = batchOf({
    id: { type: new Int32(), values: Array.from({ length: n }, (_, i) => i) },
    x: { type: new Float64(), values: Array.from({ length: n }, (_, i) => i / 7) },
    name: { type: new Utf8(), values: Array.from({ length: n }, (_, i) => `n${String(i).padStart(7, '0')}`) },
    ts: { type: new TimestampMicrosecond(), /* ms in, stored as micros */ values: Array.from({ length: n }, (_, i) => (i % 10 === 0 ? null : 1_700_000_000_000 + i)) },
  });
  return writeParquetBytes([batch], { rowGroupSize: 50_000 });
}

test('every corpus data file reads the same by ranges as whole, all columns and one column', async () => {
  const root = path.join(corpusRoot, 'tables');
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.parquet') && !f.includes('_delta_log'));
  assert.ok(files.length > 100, `corpus data files: ${files.length}`);
  for (const f of files) {
    const bytes = new Uint8Array(await readFile(path.join(root, f)));
    const whole = readParquetBytes(bytes);
    assert.deepEqual(rows(await collect(readParquetRanged(recordingSource(bytes)))), rows(whole), f);
    const first = whole[0]?.schema.fields[0]?.name;
    if (first === undefined) continue;
    const ranged = await collect(readParquetRanged(recordingSource(bytes), { columns: [first] }));
    // (parquet-wasm's in-memory reader sometimes returns every column; compare the one asked for.)
    const expected = (rows(whole) as Array<Record<string, unknown>>).map((r) => ({ [first]: r[first] }));
    assert.deepEqual(rows(ranged), expected, `${f} column ${first}`);
  }
});

test('a ranged read fetches the 64 KiB tail, then only the chosen column chunks of the chosen row groups', async () => {
  const bytes = eightRowGroups();
  const source = recordingSource(bytes);
  const got = await collect(readParquetRanged(source, { columns: ['name'], selectRowGroups: () => [2, 5] }));
  const expected = (rows(readParquetBytes(bytes, { rowGroups: [2, 5] })) as Array<Record<string, unknown>>).map((r) => ({ name: r['name'] }));
  assert.deepEqual(rows(got), expected);
  assert.equal(got.reduce((s, b) => s + b.numRows, 0), 100_000);
  assert.deepEqual(source.ranges[0], [bytes.length - 64 * 1024, bytes.length]);
  const fetched = source.ranges.slice(1).reduce((s, [a, b]) => s + (b - a), 0);
  assert.equal(source.ranges.length, 3, `tail + one chunk per row group: ${JSON.stringify(source.ranges)}`);
  assert.ok(fetched < bytes.length / 8, `fetched ${fetched} of ${bytes.length} bytes`);
  assert.deepEqual(await collect(readParquetRanged(recordingSource(bytes), { selectRowGroups: () => [] })), []);
});

test('footer statistics per row group: counts, integer and string bounds, timestamp unit', () => {
  const bytes = eightRowGroups();
  const footer = parseFooter(bytes.subarray(bytes.length - 64 * 1024), bytes.length);
  assert.ok(!('missingBytes' in footer));
  const infos = rowGroupInfos(footer.metadata);
  assert.equal(infos.length, 8);
  const rg = infos[3]!;
  assert.equal(rg.numRows, 50_000);
  assert.deepEqual({ ...rg.columns.get('id') }, { nullCount: 0, min: 150_000, max: 199_999 });
  const name = rg.columns.get('name')!;
  assert.equal(new TextDecoder().decode(name.min as Uint8Array), 'n0150000');
  assert.equal(new TextDecoder().decode(name.max as Uint8Array), 'n0199999');
  const ts = rg.columns.get('ts')!;
  assert.deepEqual([ts.nullCount, ts.min, ts.max, ts.timeUnit], [5_000, 1_700_000_150_001_000, 1_700_000_199_999_000, 'us']);
  assert.equal(rg.columns.get('x')?.min, undefined, 'float bounds are not used');
  // A footer longer than the tail asks for the missing bytes.
  assert.deepEqual(parseFooter(bytes.subarray(bytes.length - 100), bytes.length), { missingBytes: (footer as { footerBytes: Uint8Array }).footerBytes.length + 8 - 100 });
});

test('a 64-bit bound beyond 2^53 stays exact as a bigint', () => {
  const big = 2n ** 60n + 1n;
  const bytes = writeParquetBytes([batchOf({ v: { type: new Int64(), values: [big, -big] } })]);
  const footer = parseFooter(bytes, bytes.length) as { metadata: Parameters<typeof rowGroupInfos>[0] };
  const c = rowGroupInfos(footer.metadata)[0]!.columns.get('v')!;
  assert.deepEqual([c.min, c.max], [-big, big]);
});
