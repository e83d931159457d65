import { changeDataNotRecorded } from '../../errors.js';
import { readCommits } from '../../log/read-commit.js';
import type { Action, Version } from '../../protocol/actions.js';
import { loadSnapshot, type Snapshot } from '../../snapshot/snapshot.js';
import { changeDataFeedEnabled } from '../../protocol/table-config.js';

/**
 * Per snapshot, whether the change data feed was on after the last version checked, so a
 * stream reading version after version does not replay the log for each batch.
 */
const lastChecked = new WeakMap<Snapshot, { version: Version; enabled: boolean }>();

/**
 * Refuses, naming the versions, a change range with any version whose metadata (as of that
 * version) lacks delta.enableChangeDataFeed=true: such versions recorded no change data, and
 * deriving it from adds and removes would report rewritten rows as deletes and inserts, so
 * Spark refuses them too (DELTA_MISSING_CHANGE_DATA). `commits` holds the range's actions.
 */
export async function checkChangeDataRecorded(snapshot: Snapshot, start: Version, end: Version, commits: ReadonlyMap<Version, Action[]>): Promise<void> {
  let enabled = await enabledBefore(snapshot, start);
  const off: Version[] = [];
  for (let v = start; v <= end; v++) {
    enabled = enabledAfter(commits.get(v) ?? [], enabled);
    if (!enabled) off.push(v);
  }
  lastChecked.set(snapshot, { version: end, enabled });
  if (off.length === 0) return;
  const last = off[off.length - 1]!;
  throw changeDataNotRecorded(start, end, describeVersions(off), last < end ? last + 1 : undefined);
}

/** Whether the feed was on in the metadata as of version `start - 1` (off before version 0). */
async function enabledBefore(snapshot: Snapshot, start: Version): Promise<boolean> {
  if (start === 0) return false;
  const before = start - 1;
  const cached = lastChecked.get(snapshot);
  let from: { version: Version; enabled: boolean };
  if (cached && cached.version <= before) from = cached;
  else if (snapshot.version <= before) from = { version: snapshot.version, enabled: changeDataFeedEnabled(snapshot.configuration) };
  else return changeDataFeedEnabled((await loadSnapshot(snapshot.store, { version: before })).configuration);
  const versions: Version[] = [];
  for (let v = from.version + 1; v <= before; v++) versions.push(v);
  let enabled = from.enabled;
  for (const actions of await readCommits(snapshot.store, versions)) enabled = enabledAfter(actions, enabled);
  return enabled;
}

function enabledAfter(actions: readonly Action[], enabled: boolean): boolean {
  for (const a of actions) if ('metaData' in a) return changeDataFeedEnabled(a.metaData.configuration);
  return enabled;
}

/** `3`, `0..2`, or `0..2, 5` for the listed versions (ascending). */
function describeVersions(versions: readonly Version[]): string {
  const runs: string[] = [];
  let i = 0;
  while (i < versions.length) {
    let j = i;
    while (j + 1 < versions.length && versions[j + 1] === versions[j]! + 1) j++;
    runs.push(i === j ? String(versions[i]) : `${versions[i]}..${versions[j]}`);
    i = j + 1;
  }
  return runs.join(', ');
}
