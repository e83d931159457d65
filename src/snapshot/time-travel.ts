import { invalidArgument, tableNotFound, timestampOutOfRange } from '../errors.js';
import { formatMillisIso, microsOfDate, millisOfMicros, parseTimestampMicros } from '../protocol/datetime.js';
import { commitsOf, listLog, type LogListing } from '../log/list-log.js';
import { readCommit } from '../log/read-commit.js';
import type { Version } from '../protocol/actions.js';
import type { ObjectMeta, ObjectStore } from '../storage/object-store.js';
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
 *
 * Modification times come with the listing, for free. In-commit timestamps are inside the
 * commits and strictly increasing by the protocol, so they are searched, not all read: a
 * timeline reads about log2(n) commits of an n-commit range.
 */
class Timeline {
  /** Monotonized modification times of the commits before `ictFrom` (all of them without it). */
  private readonly early: CommitTimestamp[] = [];
  /** The commits from `ictFrom` on, whose time is read (and remembered) on demand; the modification time is the fallback. */
  private readonly late: Array<{ version: Version; mtimeMs: number }> = [];
  /** In-commit timestamps read so far. */
  private readonly read = new Map<Version, number>();

  constructor(private readonly store: ObjectStore, commits: ReadonlyArray<{ version: Version; file: ObjectMeta }>, ictFrom: Version | undefined) {
    let prev = -Infinity;
    for (const { version, file } of commits) {
      if (ictFrom !== undefined && version >= ictFrom) {
        this.late.push({ version, mtimeMs: file.lastModifiedMs });
        continue;
      }
      const ts = file.lastModifiedMs <= prev ? prev + 1 : file.lastModifiedMs;
      this.early.push({ version, timestampMs: ts });
      prev = ts;
    }
  }

  get isEmpty(): boolean {
    return this.early.length === 0 && this.late.length === 0;
  }

  async first(): Promise<CommitTimestamp> {
    return this.early[0] ?? this.lateAt(0);
  }

  async last(): Promise<CommitTimestamp> {
    return this.late.length > 0 ? this.lateAt(this.late.length - 1) : this.early.at(-1)!;
  }

  /** The newest commit at or before `t`, if any. */
  async atOrBefore(t: number): Promise<CommitTimestamp | undefined> {
    if (this.late.length > 0 && (await this.lateAt(0)).timestampMs <= t) {
      let lo = 0; // lateAt(lo) <= t
      let hi = this.late.length; // lateAt(hi) > t, or past the end
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if ((await this.lateAt(mid)).timestampMs <= t) lo = mid;
        else hi = mid;
      }
      return this.lateAt(lo);
    }
    let found: CommitTimestamp | undefined;
    for (const c of this.early) if (c.timestampMs <= t) found = c;
    return found;
  }

  /** The oldest commit at or after `t`, if any. */
  async atOrAfter(t: number): Promise<CommitTimestamp | undefined> {
    const early = this.early.find((c) => c.timestampMs >= t);
    if (early || this.late.length === 0) return early;
    if ((await this.lateAt(this.late.length - 1)).timestampMs < t) return undefined;
    let lo = -1; // lateAt(lo) < t, or before the start
    let hi = this.late.length - 1; // lateAt(hi) >= t
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((await this.lateAt(mid)).timestampMs >= t) hi = mid;
      else lo = mid;
    }
    return this.lateAt(hi);
  }

  /** The i-th commit of the in-commit-timestamp range: its inCommitTimestamp, else its modification time. */
  private async lateAt(i: number): Promise<CommitTimestamp> {
    const { version, mtimeMs } = this.late[i]!;
    let ts = this.read.get(version);
    if (ts === undefined) {
      const ict = commitInfoOf(await readCommit(this.store, version))?.inCommitTimestamp;
      ts = typeof ict === 'number' ? ict : mtimeMs;
      this.read.set(version, ts);
    }
    return { version, timestampMs: ts };
  }
}

async function timelineOf(store: ObjectStore, latestConfiguration: Readonly<Record<string, string>>): Promise<{ timeline: Timeline; listing: LogListing }> {
  const listing = await listLog(store);
  return { timeline: new Timeline(store, commitsOf(listing), inCommitTimestampsFrom(latestConfiguration)), listing };
}

/** The oldest commit at or after `timestampMs` (a stream's starting point), if any. */
export async function firstCommitAtOrAfter(store: ObjectStore, timestampMs: number, latestConfiguration: Readonly<Record<string, string>>): Promise<CommitTimestamp | undefined> {
  return (await timelineOf(store, latestConfiguration)).timeline.atOrAfter(timestampMs);
}

/**
 * The latest version committed at or before `timestamp`; VERSION_NOT_FOUND outside the log's range.
 * `latestConfiguration` (the newest snapshot's table properties) says whether commits carry
 * in-commit timestamps; callers already hold it, so no second snapshot load happens here.
 */
export async function versionAtTimestamp(store: ObjectStore, timestamp: Date | string, latestConfiguration: Readonly<Record<string, string>>): Promise<Version> {
  return (await resolveTimestamp(store, timestamp, latestConfiguration)).version;
}

/**
 * As versionAtTimestamp, with the log listing it was found in: loading that version from the
 * same listing (loadSnapshot's `listing`) saves listing the log a second time.
 */
export async function resolveTimestamp(
  store: ObjectStore, timestamp: Date | string, latestConfiguration: Readonly<Record<string, string>>,
): Promise<{ version: Version; listing: LogListing }> {
  // Commit times are whole milliseconds: "at or before" a microsecond instant is at or before its floor.
  const t = timestampMillis(timestamp, 'timestamp', 'floor');
  const { timeline, listing } = await timelineOf(store, latestConfiguration);
  if (timeline.isEmpty) throw tableNotFound(store.rootUri);
  const [first, last] = [await timeline.first(), await timeline.last()];
  if (t < first.timestampMs || t > last.timestampMs) {
    throw timestampOutOfRange(
      formatMillisIso(t),
      { version: first.version, at: formatMillisIso(first.timestampMs) },
      { version: last.version, at: formatMillisIso(last.timestampMs) },
    );
  }
  return { version: (await timeline.atOrBefore(t))!.version, listing };
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
