import assert from 'node:assert/strict';
import { stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isDeltaError } from '../../src/errors.js';
import { serializeCommit } from '../../src/protocol/action-codec.js';
import type { Action } from '../../src/protocol/actions.js';
import { commitPath } from '../../src/protocol/log-paths.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { firstCommitAtOrAfter, versionAtTimestamp } from '../../src/snapshot/time-travel.js';
import { tempDir } from '../support/temp.js';

const BASE = Date.UTC(2026, 0, 1);
const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] });

/** One commit of a random history: its file's modification time step, and its inCommitTimestamp step once they are enabled. */
interface CommitTimes { mtimeOffset: number; ictStep: number }

const history = fc.record({
  commits: fc.array(fc.record({
    // Clock steps back and ties included: modification times are monotonized, not trusted.
    mtimeOffset: fc.integer({ min: -3, max: 40 }),
    ictStep: fc.integer({ min: 1, max: 50 }),
  }), { minLength: 1, maxLength: 40 }),
  ictFrom: fc.option(fc.nat({ max: 45 }), { nil: undefined }),
  probes: fc.array(fc.integer({ min: -5, max: 2_500 }), { minLength: 1, maxLength: 12 }),
});

/** Spark's rule, computed the slow way: every commit's time, in order, made strictly increasing. */
function bruteForce(commits: CommitTimes[], mtimes: number[], icts: Array<number | undefined>, ictFrom: number | undefined): number[] {
  const out: number[] = [];
  let prev = -Infinity;
  commits.forEach((_, v) => {
    let ts = mtimes[v]!;
    if (ictFrom !== undefined && v >= ictFrom && icts[v] !== undefined) ts = icts[v]!;
    if (ts <= prev) ts = prev + 1;
    out.push(ts);
    prev = ts;
  });
  return out;
}

test('time travel by timestamp answers what reading every commit answers (in-commit timestamps searched, not all read)', async () => {
  await fc.assert(fc.asyncProperty(history, async ({ commits, ictFrom, probes }) => {
    const root = await tempDir('dlts-tt-');
    const store = new LocalStore(root);
    const mtimes: number[] = [];
    const icts: Array<number | undefined> = [];
    let mtime = BASE;
    // In-commit timestamps start after the last modification time before enablement, and increase strictly (the protocol's rule).
    let ict = BASE + 2_000;
    for (let v = 0; v < commits.length; v++) {
      const c = commits[v]!;
      mtime += c.mtimeOffset;
      const writesIct = ictFrom !== undefined && v >= ictFrom;
      if (writesIct) ict += c.ictStep;
      icts.push(writesIct ? ict : undefined);
      const actions: Action[] = v === 0
        ? [{ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }, { metaData: { id: 't', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {}, createdTime: 0 } }]
        : [];
      actions.unshift({ commitInfo: { timestamp: mtime, operation: 'WRITE', ...(writesIct ? { inCommitTimestamp: ict } : {}) } });
      await store.putIfAbsent(commitPath(v), serializeCommit(actions));
      const file = path.join(root, commitPath(v));
      await utimes(file, mtime / 1000, mtime / 1000);
      mtimes.push(Math.floor((await stat(file)).mtimeMs)); // as the filesystem keeps it (utimes may round)
    }
    const config = ictFrom === undefined ? {} : { 'delta.enableInCommitTimestamps': 'true', 'delta.inCommitTimestampEnablementVersion': String(ictFrom) };
    const times = bruteForce(commits, mtimes, icts, ictFrom);
    // Random instants, and each commit's own time and its neighbours (where off-by-one errors live).
    const instants = [...probes.map((p) => BASE + p), ...times.flatMap((ts) => [ts - 1, ts, ts + 1])];
    for (const t of instants) {
      const expectedBefore = times.findLastIndex((ts) => ts <= t);
      const outside = t < times[0]! || t > times.at(-1)!;
      try {
        const got = await versionAtTimestamp(store, new Date(t), config);
        assert.ok(!outside, `t=${t} is outside ${times[0]}..${times.at(-1)} but gave version ${got}`);
        assert.equal(got, expectedBefore, `version at or before ${t}; times ${times.join(',')}`);
      } catch (err) {
        if (!isDeltaError(err, 'VERSION_NOT_FOUND')) throw err;
        assert.ok(outside, `t=${t} is inside ${times[0]}..${times.at(-1)}: ${(err as Error).message}`);
      }
      const after = await firstCommitAtOrAfter(store, t, config);
      const expectedAfter = times.findIndex((ts) => ts >= t);
      assert.equal(after?.version ?? -1, expectedAfter, `first version at or after ${t}; times ${times.join(',')}`);
      if (after) assert.equal(after.timestampMs, times[expectedAfter]);
    }
  }), { numRuns: 60 });
});
