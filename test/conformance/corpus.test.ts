import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { DataType } from 'apache-arrow';
import { DeltaError, DeltaTable } from '../../src/index.js';
import { canonicalKey, canonicalRows } from '../support/canonical.js';
import { corpusRoot } from '../support/paths.js';

interface Item {
  kind: 'snapshot' | 'cdf' | 'error' | 'txns' | 'activeFiles';
  version?: number;
  file?: string;
  columns?: string[];
  txns?: Record<string, number>;
  files?: string[];
  error?: string;
  startVersion?: number;
  endVersion?: number;
}
interface Entry {
  name: string;
  path: string;
  features: string[];
  expected: { items: Item[] };
  timeTravel?: { commitMtimesMs?: Record<string, number>; commitMtimes?: Record<string, string>; asOf?: Record<string, number> };
}

const manifest = JSON.parse(await readFile(path.join(corpusRoot, 'MANIFEST.json'), 'utf8')) as { tables: Entry[] };

/** The typed error each negative table must raise. */
const EXPECTED_ERROR: Record<string, string> = {
  'unsupported-reader-version': 'UNSUPPORTED_FEATURE',
  'log-gap': 'CORRUPT_LOG',
  'missing-protocol': 'CORRUPT_LOG',
};

async function readExpected(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(corpusRoot, file), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

function multiset(rows: Array<Record<string, unknown>>, fields: ReadonlyArray<{ name: string; type: DataType }>): string[] {
  return rows.map((r) => canonicalKey(r, fields)).sort();
}

/** A copy of the table in a temp dir with commit mtimes set from the manifest (git drops mtimes). */
async function withCommitMtimes(entry: Entry): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'dlts-tt-')), entry.name);
  await cp(path.join(corpusRoot, entry.path), dir, { recursive: true });
  const tt = entry.timeTravel!;
  const mtimes = tt.commitMtimesMs ?? Object.fromEntries(Object.entries(tt.commitMtimes ?? {}).map(([v, iso]) => [v, Date.parse(iso)]));
  for (const [v, ms] of Object.entries(mtimes)) {
    const f = path.join(dir, '_delta_log', `${v.padStart(20, '0')}.json`);
    await utimes(f, ms / 1000, ms / 1000);
  }
  return dir;
}

for (const entry of manifest.tables) {
  test(entry.name, async (t) => {
    const uri = path.join(corpusRoot, entry.path);
    for (const item of entry.expected.items) {
      const label = `${item.kind}${item.version !== undefined ? ` v${item.version}` : ''}${item.columns ? ` [${item.columns.length} cols]` : ''}`;
      await t.test(label, async () => {
        switch (item.kind) {
          case 'snapshot': {
            const table = await DeltaTable.open(uri, item.version === undefined ? {} : { version: item.version });
            assert.equal(table.version, item.version ?? table.version);
            const result = await table.toArrow(item.columns ? { columns: item.columns } : {});
            const fields = result.schema.fields.map((f) => ({ name: f.name, type: f.type as DataType }));
            const expected = await readExpected(item.file!);
            assert.deepEqual(multiset(canonicalRows(result), fields), multiset(expected, fields));
            return;
          }
          case 'txns': {
            const table = await DeltaTable.open(uri, item.version === undefined ? {} : { version: item.version });
            for (const [appId, v] of Object.entries(item.txns!)) assert.equal(table.appTransactionVersion(appId), v, appId);
            assert.equal(table.appTransactionVersion('no-such-app-id'), undefined);
            return;
          }
          case 'activeFiles': {
            const table = await DeltaTable.open(uri, item.version === undefined ? {} : { version: item.version });
            assert.deepEqual((await table.files()).map((f) => f.path).sort(), [...item.files!].sort());
            return;
          }
          case 'error': {
            const tag = Object.keys(EXPECTED_ERROR).find((k) => entry.features.includes(k));
            assert.ok(tag, `no expected error code for ${entry.name}`);
            await assert.rejects(
              async () => {
                const table = await DeltaTable.open(uri, item.version === undefined ? {} : { version: item.version });
                await table.toArrow();
              },
              (e: unknown) => {
                assert.ok(e instanceof DeltaError, `not a DeltaError: ${String(e)}`);
                assert.equal(e.code, EXPECTED_ERROR[tag]);
                assert.ok(e.hint, 'error carries a hint');
                return true;
              },
            );
            return;
          }
          case 'cdf': {
            const table = await DeltaTable.open(uri);
            const changes = await table.changes({ startingVersion: item.startVersion!, endingVersion: item.endVersion! });
            const cols = item.columns!;
            const fields = cols.map((c) => ({ name: c, type: changes.schema.fields.find((f) => f.name === c)!.type as DataType }));
            const actual = canonicalRows(changes).map((r) => Object.fromEntries(cols.map((c) => [c, r[c]])));
            assert.deepEqual(multiset(actual, fields), multiset(await readExpected(item.file!), fields));
            return;
          }
        }
      });
    }
    if (entry.timeTravel) {
      await t.test('time travel by timestamp', async () => {
        const dir = await withCommitMtimes(entry);
        const mtimes = entry.timeTravel!.commitMtimesMs ?? Object.fromEntries(Object.entries(entry.timeTravel!.commitMtimes!).map(([v, s]) => [v, Date.parse(s)]));
        const versions = Object.keys(mtimes).map(Number).sort((a, b) => a - b);
        // At each commit's own time, and just before the next one, the table is at that commit.
        for (const v of versions) {
          const at = mtimes[String(v)]!;
          assert.equal((await DeltaTable.open(dir, { timestamp: new Date(at) })).version, v);
          const next = mtimes[String(v + 1)];
          if (next !== undefined) assert.equal((await DeltaTable.open(dir, { timestamp: new Date(next - 1) })).version, v);
        }
        const first = mtimes[String(versions[0])]!;
        const last = mtimes[String(versions.at(-1))]!;
        for (const [ts, v] of Object.entries(entry.timeTravel!.asOf ?? {})) {
          const ms = Date.parse(ts);
          if (ms < first || ms > last) {
            // Outside the commits' range Spark refuses rather than clamping (delta-rs clamps).
            await assert.rejects(DeltaTable.open(dir, { timestamp: ts }), (e: unknown) => e instanceof DeltaError && e.code === 'VERSION_NOT_FOUND');
          } else {
            assert.equal((await DeltaTable.open(dir, { timestamp: ts })).version, v, ts);
          }
        }
      });
    }
  });
}
