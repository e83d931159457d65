import { invalidArgument, tableNotFound, timestampOutOfRange } from '../errors.js';
import { formatMillisIso, microsOfDate, millisOfMicros, parseTimestampMicros } from '../protocol/datetime.js';
import { listCommits } from '../log/list-log.js';
import { readCommit } from '../log/read-commit.js';
import type { Version } from '../protocol/actions.js';
import type { ObjectStore } from '../storage/object-store.js';
import { commitInfoOf } from './replay.js';

/** One commit's version and its timestamp as time travel sees it. */
export interface CommitTimestamp {
  version: Version;
  timestampMs: number;
}

/**
 * Commit timestamps as Spark computes them (DeltaHistoryManager): `commitInfo.inCommitTimestamp`
 * for versions at or after the In-Commit Timestamps enablement version, otherwise the commit
 * file's modification time made strictly increasing (+1 ms), so a clock step back never
 * reorders versions.
 */
export async function commitTimestamps(store: ObjectStore, latestConfiguration: Readonly<Record<string, string>>): Promise<CommitTimestamp[]> {
  const commits = await listCommits(store);
  if (commits.length === 0) return [];
  const ictFrom = inCommitTimestampsFrom(latestConfiguration);
  const out: CommitTimestamp[] = [];
  let prev = -Infinity;
  for (const { version, file } of commits) {
    let ts = file.lastModifiedMs;
    if (ictFrom !== undefined && version >= ictFrom) {
      const ict = commitInfoOf(await readCommit(store, version))?.inCommitTimestamp;
      if (typeof ict === 'number') ts = ict;
    }
    if (ts <= prev) ts = prev + 1;
    out.push({ version, timestampMs: ts });
    prev = ts;
  }
  return out;
}

/**
 * The latest version committed at or before `timestamp`; VERSION_NOT_FOUND outside the log's range.
 * `latestConfiguration` (the newest snapshot's table properties) says whether commits carry
 * in-commit timestamps; callers already hold it, so no second snapshot load happens here.
 */
export async function versionAtTimestamp(store: ObjectStore, timestamp: Date | string, latestConfiguration: Readonly<Record<string, string>>): Promise<Version> {
  // Commit times are whole milliseconds: "at or before" a microsecond instant is at or before its floor.
  const t = timestampMillis(timestamp, 'timestamp', 'floor');
  const commits = await commitTimestamps(store, latestConfiguration);
  const first = commits[0];
  const last = commits.at(-1);
  if (!first || !last) throw tableNotFound(store.rootUri);
  if (t < first.timestampMs || t > last.timestampMs) {
    throw timestampOutOfRange(
      formatMillisIso(t),
      { version: first.version, at: formatMillisIso(first.timestampMs) },
      { version: last.version, at: formatMillisIso(last.timestampMs) },
    );
  }
  let found = first.version;
  for (const c of commits) if (c.timestampMs <= t) found = c.version;
  return found;
}

/**
 * Epoch milliseconds of a time-travel or stream-start timestamp: a Date, or text in the forms of
 * the one date/time parser (zone-less text is UTC whatever TZ says), rounded to whole ms as
 * `rounding` says. INVALID_ARGUMENT naming `option` otherwise.
 */
export function timestampMillis(timestamp: Date | string, option: string, rounding: 'floor' | 'ceil'): number {
  const micros = timestamp instanceof Date ? microsOfDate(timestamp)
    : typeof timestamp === 'string' ? parseTimestampMicros(timestamp) : undefined;
  if (micros === undefined) {
    throw invalidArgument(
      `${option} ${typeof timestamp === 'string' ? JSON.stringify(timestamp) : String(timestamp)} is not a timestamp`,
      "write 'YYYY-MM-DD HH:MM:SS[.ffffff]' or ISO 'YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]' (no zone means UTC), or pass a Date",
    );
  }
  return millisOfMicros(micros, rounding);
}

/** The first version whose commitInfo carries an in-commit timestamp, if the table enabled them. */
function inCommitTimestampsFrom(config: Readonly<Record<string, string>>): Version | undefined {
  if (config['delta.enableInCommitTimestamps'] !== 'true') return undefined;
  return Number(config['delta.inCommitTimestampEnablementVersion'] ?? 0);
}
