// OPTIMIZE on a copy of every readable corpus table (Spark, delta-rs and kernel writers: column
// mapping, deletion vectors, type widening, checkpoints...): the rows stay exactly the same.
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaTable } from '../../src/index.js';
import { corpusRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

const manifest = JSON.parse(await readFile(path.join(corpusRoot, 'MANIFEST.json'), 'utf8')) as { tables: Array<{ name: string; path: string }> };

async function sortedRows(uri: string): Promise<string[]> {
  const rows = (await (await DeltaTable.open(uri)).toArrow()).toArray();
  return rows.map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v))).sort();
}

for (const entry of manifest.tables) {
  test(`optimize keeps the rows of ${entry.name}`, async (t) => {
    const uri = path.join(await tempDir('dlts-optcorpus-'), entry.name);
    await cp(path.join(corpusRoot, entry.path), uri, { recursive: true });
    let before: string[];
    try {
      before = await sortedRows(uri);
    } catch {
      return t.skip('the table does not read (a negative corpus table; test/conformance/corpus.test.ts checks its error)');
    }
    const table = await DeltaTable.open(uri);
    const r = await table.optimize();
    assert.equal(r.version, r.numFilesRemoved > 0 ? table.version + 1 : table.version);
    assert.deepEqual(await sortedRows(uri), before);
    const after = await DeltaTable.open(uri);
    assert.ok(after.snapshot.files.every((f) => f.add.deletionVector === undefined), 'no deletion vector is left');
  });
}
