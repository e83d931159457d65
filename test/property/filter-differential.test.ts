import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { DataType, Table } from 'apache-arrow';
import fc from 'fast-check';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { canonicalKey, canonicalRows } from '../support/canonical.js';
import { filterSeed, resolveFilter, tableCase, type FilterColumn, type TableCase } from '../support/filter-arbitraries.js';
import { batchOfRows, filterableTypeOf, isFilterable, readColumn, readNullness, type Column, type Value } from '../support/filter-model.js';
import { matchingRows, show, showFilter, toUserFilter, type ModelFilter } from '../support/filter-oracle.js';
import { corpusRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

// Reproduce a failure with FILTER_PROPERTY_SEED=<seed> (and FILTER_PROPERTY_RUNS for more cases).
const SEED = Number(process.env.FILTER_PROPERTY_SEED ?? 20_261_111);
const RUNS = Number(process.env.FILTER_PROPERTY_RUNS ?? 200);
const CORPUS_RUNS_PER_TABLE = Number(process.env.FILTER_PROPERTY_CORPUS_RUNS ?? 6);

/** fc.assert that names the seed to rerun with when it fails. */
async function assertSeeded(property: fc.IAsyncProperty<unknown[]>, numRuns: number): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns, includeErrorInReport: true });
  } catch (e) {
    throw new Error(`differential filter property failed; rerun with FILTER_PROPERTY_SEED=${SEED}\n${(e as Error).message}`, { cause: e });
  }
}

function sortedIds(values: Value[]): bigint[] {
  return (values as bigint[]).slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function describeCase(tc: TableCase, filter: ModelFilter): string {
  const schema = tc.columns.map((c) => `${c.name}: ${typeof c.type === 'string' ? c.type : `struct<${c.type.struct.map((f) => `${f.name}: ${f.type}`).join(', ')}>`}`).join(', ');
  let id = 0;
  const files = tc.files.map((rows, i) => `  file ${i}:\n${rows.map((r) => `    id ${id++}: ${show(r)}`).join('\n')}`).join('\n');
  return `schema: ${schema}${tc.partitionBy ? `, partitioned by ${tc.partitionBy}` : ''}\n${files}\nfilter: ${showFilter(filter)}`;
}

async function writeCase(tc: TableCase): Promise<{ uri: string; columns: Column[]; rows: Array<Record<string, Value>> }> {
  const uri = await tempDir('dlts-fdiff-');
  const columns: Column[] = [{ name: 'id', type: 'long' }, ...tc.columns];
  const rows: Array<Record<string, Value>> = [];
  for (const [i, fileRows] of tc.files.entries()) {
    const withIds = fileRows.map((r, k) => ({ id: BigInt(rows.length + k), ...r }));
    await writeDeltaTable(uri, batchOfRows(columns, withIds), i === 0 ? { partitionBy: tc.partitionBy ? [tc.partitionBy] : [] } : { mode: 'append' });
    rows.push(...withIds);
  }
  return { uri, columns, rows };
}

async function readIds(uri: string, filter?: ModelFilter): Promise<bigint[]> {
  const table = await DeltaTable.open(uri);
  const t = await table.toArrow(filter ? { columns: ['id'], filter: toUserFilter(filter) } : { columns: ['id'] });
  return sortedIds(readColumn(t, 'id'));
}

test('a filtered read returns exactly the rows a brute-force evaluation of the filter over the full read keeps, and a predicate overwrite removes exactly those rows', { timeout: 900_000 }, async () => {
  let cases = 0;
  let rowsMatched = 0;
  await assertSeeded(
    fc.asyncProperty(tableCase, fc.array(filterSeed, { minLength: 1, maxLength: 3 }), fc.boolean(), async (tc, seeds, reinsert) => {
      cases++;
      const { uri, columns, rows } = await writeCase(tc);
      const full = await (await DeltaTable.open(uri)).toArrow();
      const ids = readColumn(full, 'id') as bigint[];
      assert.deepEqual(sortedIds(ids), rows.map((r) => r.id as bigint), 'the unfiltered read returns every row');
      const filterable: FilterColumn[] = columns.map((c) => (isFilterable(c.type) ? { name: c.name, type: c.type } : { name: c.name, type: 'binary', nullOnly: true }));
      const data = Object.fromEntries(filterable.map((c) => [c.name, c.nullOnly ? readNullness(full, c.name) : readColumn(full, c.name)]));
      const filters = seeds.map((s) => resolveFilter(s, filterable, data));
      for (const filter of filters) {
        const expected = sortedIds(matchingRows(filter, data, ids.length).map((i) => ids[i]!));
        rowsMatched += expected.length;
        assert.deepEqual(await readIds(uri, filter), expected, `filtered read\n${describeCase(tc, filter)}`);
      }
      // Overwrite by the first filter, with no rows or with the matching rows again (same ids: a
      // matching row left in place would then show up twice).
      const predicate = filters[0]!;
      const matched = new Set(matchingRows(predicate, data, ids.length).map((i) => ids[i]!));
      const again = reinsert ? rows.filter((r) => matched.has(r.id as bigint)) : [];
      await writeDeltaTable(uri, batchOfRows(columns, again), { mode: 'overwrite', predicate: toUserFilter(predicate) });
      const expectedAfter = sortedIds([...ids.filter((id) => !matched.has(id)), ...again.map((r) => r.id as bigint)]);
      assert.deepEqual(await readIds(uri), expectedAfter, `predicate overwrite (${reinsert ? 're-inserting the matching rows' : 'no new rows'})\n${describeCase(tc, predicate)}`);
    }),
    RUNS,
  );
  assert.ok(cases >= RUNS, `${cases} cases ran`);
  assert.ok(rowsMatched > 0, 'some filters matched rows');
});

interface ManifestEntry { name: string; path: string; expected: { items: Array<{ kind: string }> } }
const manifest = JSON.parse(await readFile(path.join(corpusRoot, 'MANIFEST.json'), 'utf8')) as { tables: ManifestEntry[] };

function rowKeys(table: Table): string[] {
  const fields = table.schema.fields.map((f) => ({ name: f.name, type: f.type as DataType }));
  return canonicalRows(table).map((r) => canonicalKey(r, fields));
}

test('on every corpus table, a random filter returns exactly the rows a brute-force evaluation over the unfiltered read keeps', { timeout: 900_000 }, async (t) => {
  for (const entry of manifest.tables.filter((e) => e.expected.items.some((i) => i.kind === 'snapshot'))) {
    await t.test(entry.name, async () => {
      const uri = path.join(corpusRoot, entry.path);
      const table = await DeltaTable.open(uri);
      const full = await table.toArrow();
      const columns = table.schema.fields.map((f): FilterColumn => {
        const type = filterableTypeOf(f.type as DataType);
        return type ? { name: f.name, type } : { name: f.name, type: 'binary', nullOnly: true };
      });
      if (columns.length === 0) return;
      const data = Object.fromEntries(columns.map((c) => [c.name, c.nullOnly ? readNullness(full, c.name) : readColumn(full, c.name)]));
      const keys = rowKeys(full);
      await assertSeeded(
        fc.asyncProperty(filterSeed, async (seeds) => {
          const filter = resolveFilter(seeds, columns, data);
          const expected = matchingRows(filter, data, full.numRows).map((i) => keys[i]!).sort();
          const got = rowKeys(await table.toArrow({ filter: toUserFilter(filter) })).sort();
          assert.deepEqual(got, expected, `corpus table ${entry.name}, filter: ${showFilter(filter)}`);
        }),
        CORPUS_RUNS_PER_TABLE,
      );
    });
  }
});
