import assert from 'node:assert/strict';
import { cp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { writeCheckpoint } from '../../src/ops/write/checkpoint.js';
import { checkpointPath } from '../../src/protocol/log-paths.js';
import { loadSnapshot, type Snapshot } from '../../src/snapshot/snapshot.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { corpusRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

/** Every corpus table whose log holds a checkpoint written by Spark or delta-rs. */
async function tablesWithCheckpoints(): Promise<string[]> {
  const names = (await readdir(path.join(corpusRoot, 'tables'))).sort();
  const out: string[] = [];
  for (const name of names) {
    const log = await readdir(path.join(corpusRoot, 'tables', name, '_delta_log')).catch(() => []);
    if (log.some((f) => f.includes('.checkpoint.'))) out.push(name);
  }
  return out;
}

/** The state a snapshot exposes, as order-free canonical strings (dataChange left out). */
function state(s: Snapshot) {
  const sortKeys = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x);
  const file = (f: object): string => sortKeys({ ...f, dataChange: undefined });
  return {
    protocol: sortKeys(s.protocol),
    metadata: sortKeys(s.metadata),
    files: s.files.map((f) => file(f.add)).sort(),
    tombstones: s.tombstones.map((r) => file({ ...r, stats: undefined, tags: undefined })).sort(),
    txns: [...s.txns.values()].map(sortKeys).sort(),
    domains: [...s.domains.values()].map(sortKeys).sort(),
  };
}

test('a checkpoint rewritten over every Spark- and delta-rs-written checkpoint in the corpus opens to the same state', async () => {
  const names = await tablesWithCheckpoints();
  assert.ok(names.length >= 12, `corpus tables with checkpoints: ${names.length}`);
  for (const name of names) {
    const uri = await tempDir(`dlts-cp-corpus-${name}-`);
    await cp(path.join(corpusRoot, 'tables', name), uri, { recursive: true });
    const store = new LocalStore(uri);
    const before = await loadSnapshot(store);
    // now = 0 keeps every tombstone, so the whole state must survive the rewrite.
    const result = await writeCheckpoint(store, { now: () => 0 });
    assert.equal(result.version, before.version, name);
    const after = await loadSnapshot(store);
    assert.equal(after.segment.checkpoint?.files[0]?.path, checkpointPath(before.version), `${name} opens from the new checkpoint`);
    assert.deepEqual(state(after), state(before), name);
    assert.equal(result.numOfAddFiles, before.files.length, name);
  }
});
