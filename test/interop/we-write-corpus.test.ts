import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { corpusRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';
import { assertEnginesReadOurVersions, assertSameHistory, startEngines, type Engines } from '../support/interop-engines.js';

/*
 * We write, they read: corpus tables of every type we handle (nested structs, lists, maps,
 * decimals, timestamps with and without zone, partitions of every type, escaped partition
 * values, nulls) rewritten by us in three commits with a checkpoint, then read by Spark and by
 * delta-rs at every version. Both must return exactly our rows.
 */

const TABLES = [
  'dat-multi_partitioned', 'data-reader-nested-struct', 'decimal-various-scale-precision', 'data-reader-escaped-chars',
  'data-reader-map', 'data-reader-array-complex-objects', 'data-reader-primitives', 'data-reader-date-types-utc', 'data-reader-timestamp_ntz',
  'parquet-all-types', 'kernel-timestamp-int96', 'timestamp-partitioned-table', 'basic-decimal-table', 'mixed-nulls', 'data-reader-partition-values', 'data-reader-array-primitives',
];
const MAPPED = ['dat-multi_partitioned', 'data-reader-nested-struct', 'data-reader-map', 'data-reader-partition-values'];

let engines: Engines;
before(async () => { engines = await startEngines(); });
after(async () => { await engines.close(); });

/** Writes `name` from the corpus as three commits (half, rest, one row again); returns the new table's uri. */
async function rewrite(name: string, properties: Record<string, string>): Promise<string> {
  const source = await DeltaTable.open(path.join(corpusRoot, 'tables', name));
  const rows = await source.toArrow();
  const uri = await tempDir('dlts-interop-');
  const half = Math.ceil(rows.numRows / 2);
  await writeDeltaTable(uri, rows.slice(0, half), {
    partitionBy: source.partitionColumns, properties: { 'delta.checkpointInterval': '2', ...properties }, nullability: 'arrow', zonelessTimestamps: 'timestamp_ntz',
  });
  await writeDeltaTable(uri, rows.slice(half), { mode: 'append' });
  await writeDeltaTable(uri, rows.slice(0, 1), { mode: 'append' });
  return uri;
}

async function compareEveryVersion(uri: string, label: string): Promise<number> {
  const n = await assertEnginesReadOurVersions(engines, uri, label);
  await assertSameHistory(engines, uri, label);
  return n;
}

for (const name of TABLES) {
  test(`Spark and delta-rs read exactly our rows of ${name} at every version`, { timeout: 120_000 }, async () => {
    const uri = await rewrite(name, {});
    assert.equal(await compareEveryVersion(uri, name), 3);
  });
}

for (const mode of ['name', 'id']) {
  for (const name of MAPPED) {
    test(`Spark and delta-rs read exactly our rows of ${name} with column mapping mode ${mode}`, { timeout: 120_000 }, async () => {
      const uri = await rewrite(name, { 'delta.columnMapping.mode': mode });
      assert.equal(await compareEveryVersion(uri, `${name} (${mode})`), 3);
    });
  }
}
