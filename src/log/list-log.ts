import { corruptLog, tableNotFound, versionNotFound } from '../errors.js';
import type { Version } from '../protocol/actions.js';
import { LOG_DIR, parseLogFileName } from '../protocol/log-paths.js';
import type { ObjectMeta, ObjectStore } from '../storage/object-store.js';
import { readLastCheckpoint } from './last-checkpoint-file.js';
import type { CheckpointFiles, LogSegment } from './log-segment.js';

/**
 * Finds the files that reconstruct `version` (default: the latest).
 *
 *   _last_checkpoint (hint) ──> list _delta_log/ with startAfter = hint version
 *        │ missing/corrupt/too new            │ nothing usable found
 *        └──────────> list _delta_log/ from the start <┘
 *   pick the newest complete checkpoint <= version, then commits cp+1..version (must be contiguous)
 */
export async function listLogSegment(
  store: ObjectStore,
  opts: { version?: Version; excludeCheckpoints?: ReadonlySet<Version>; listing?: LogListing } = {},
): Promise<LogSegment> {
  const excluded = opts.excludeCheckpoints ?? new Set<Version>();
  // A whole-log listing made moments ago (time travel by timestamp lists it for the commit
  // times) answers for any version it holds: committed files never change.
  if (opts.listing && opts.version !== undefined) return buildSegment(store, restrictListing(opts.listing, opts.version, excluded), opts.version);
  const hint = await readLastCheckpoint(store);
  if (hint && !excluded.has(hint.version) && (opts.version === undefined || hint.version <= opts.version)) {
    const listing = await scanLog(store, hint.version, opts.version, excluded);
    const segment = tryBuildSegment(listing, opts.version);
    if (segment) return segment;
  }
  const listing = await scanLog(store, undefined, opts.version, excluded);
  return buildSegment(store, listing, opts.version);
}

/** Every commit version present in the log (ascending), with its file, for history and time travel. */
export async function listCommits(store: ObjectStore, fromVersion = 0): Promise<Array<{ version: Version; file: ObjectMeta }>> {
  return commitsOf(await scanLog(store, fromVersion > 0 ? fromVersion : undefined, undefined, new Set()));
}

/** The whole log listed once: its commits and complete checkpoints, for listLogSegment's `listing`. */
export function listLog(store: ObjectStore): Promise<LogListing> {
  return scanLog(store, undefined, undefined, new Set());
}

/** The commits of a listing, ascending, with their files. */
export function commitsOf(listing: LogListing): Array<{ version: Version; file: ObjectMeta }> {
  return [...listing.commits.entries()].sort((a, b) => a[0] - b[0]).map(([version, file]) => ({ version, file }));
}

/** What a listing up to `upTo` without the `excluded` checkpoints would have held. */
function restrictListing(listing: LogListing, upTo: Version, excluded: ReadonlySet<Version>): LogListing {
  const commits = new Map([...listing.commits].filter(([v]) => v <= upTo));
  const checkpoints = listing.checkpoints.filter((c) => c.version <= upTo && !excluded.has(c.version));
  return { commits, checkpoints, sawAnyFile: listing.sawAnyFile };
}

export interface LogListing {
  commits: Map<Version, ObjectMeta>;
  checkpoints: CheckpointFiles[]; // complete ones only, ascending by version
  sawAnyFile: boolean;
}

async function scanLog(
  store: ObjectStore, fromVersion: Version | undefined, upTo: Version | undefined, excluded: ReadonlySet<Version>,
): Promise<LogListing> {
  const commits = new Map<Version, ObjectMeta>();
  const singles: CheckpointFiles[] = [];
  // multi-part checkpoints: key `${version}/${parts}` -> parts found
  const parts = new Map<string, { version: Version; parts: number; files: Map<number, ObjectMeta> }>();
  let sawAnyFile = false;
  const startAfter = fromVersion === undefined ? undefined : LOG_DIR + String(fromVersion).padStart(20, '0').slice(0, 20);
  // "<v>" sorts before "<v>.json" and "<v>.checkpoint...", so this lists version `fromVersion` onward.
  for await (const meta of store.list(LOG_DIR, startAfter === undefined ? {} : { startAfter })) {
    sawAnyFile = true;
    const parsed = parseLogFileName(meta.path.slice(LOG_DIR.length));
    if (parsed.kind !== 'commit' && parsed.kind !== 'checkpoint') continue;
    if (upTo !== undefined && parsed.version > upTo) break; // zero-padded names: everything after is newer
    if (parsed.kind === 'commit') commits.set(parsed.version, meta);
    else if (excluded.has(parsed.version)) continue;
    else if (parsed.variant === 'multipart') {
      const key = `${parsed.version}/${parsed.parts}`;
      const group = parts.get(key) ?? { version: parsed.version, parts: parsed.parts, files: new Map() };
      group.files.set(parsed.part, meta);
      parts.set(key, group);
    } else singles.push({ version: parsed.version, kind: parsed.variant, files: [meta] });
  }
  for (const g of parts.values()) {
    // An incomplete multi-part set is ignored (a writer died mid-checkpoint).
    if (g.files.size !== g.parts) continue;
    const files = [...g.files.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
    singles.push({ version: g.version, kind: 'multipart', files });
  }
  // Prefer classic over UUID over multi-part at one version: classic needs no manifest read.
  const rank = { classic: 0, uuid: 1, multipart: 2 } as const;
  singles.sort((a, b) => a.version - b.version || rank[b.kind] - rank[a.kind]);
  return { commits, checkpoints: singles, sawAnyFile };
}

function latestOf(listing: LogListing): Version | undefined {
  let latest: Version | undefined;
  for (const v of listing.commits.keys()) latest = latest === undefined ? v : Math.max(latest, v);
  for (const c of listing.checkpoints) latest = latest === undefined ? c.version : Math.max(latest, c.version);
  return latest;
}

/** Builds the segment, or undefined when this (partial) listing cannot decide. */
function tryBuildSegment(listing: LogListing, requested: Version | undefined): LogSegment | undefined {
  if (listing.checkpoints.length === 0) return undefined;
  try {
    return assemble(listing, requested);
  } catch {
    return undefined; // the hint was stale or wrong; the full listing decides
  }
}

async function buildSegment(store: ObjectStore, listing: LogListing, requested: Version | undefined): Promise<LogSegment> {
  if (listing.commits.size === 0 && listing.checkpoints.length === 0) {
    if (requested !== undefined && listing.sawAnyFile) throw versionNotFound(requested, 0, 0);
    throw tableNotFound(store.rootUri);
  }
  return assemble(listing, requested);
}

function assemble(listing: LogListing, requested: Version | undefined): LogSegment {
  const latest = latestOf(listing)!;
  checkContiguousTail(listing);
  const target = requested ?? latest;
  const candidates = listing.checkpoints.filter((c) => c.version <= target).reverse();
  const earliest = earliestRecreatable(listing);
  if (target > latest || earliest === undefined || target < earliest) {
    throw versionNotFound(target, earliest ?? latest, latest);
  }
  const checkpoint = candidates[0];
  const from = checkpoint ? checkpoint.version + 1 : 0;
  const commits: LogSegment['commits'] = [];
  for (let v = from; v <= target; v++) {
    const file = listing.commits.get(v);
    if (!file) throw corruptLog(`_delta_log`, `commit ${v} is missing, so version ${target} cannot be reconstructed`);
    commits.push({ version: v, file });
  }
  return { version: target, checkpoint, commits, olderCheckpoints: candidates.slice(1) };
}

/** Commits after the newest checkpoint must be contiguous (Spark: DELTA_VERSIONS_NOT_CONTIGUOUS). */
function checkContiguousTail(listing: LogListing): void {
  const newestCp = listing.checkpoints.at(-1)?.version ?? -1;
  const tail = [...listing.commits.keys()].filter((v) => v > newestCp).sort((a, b) => a - b);
  let expected = tail[0];
  if (newestCp >= 0 && expected !== undefined && expected !== newestCp + 1) {
    throw corruptLog('_delta_log', `versions are not contiguous: checkpoint ${newestCp} is followed by commit ${expected}`);
  }
  for (const v of tail) {
    if (expected !== undefined && v !== expected) {
      throw corruptLog('_delta_log', `versions are not contiguous: commit ${expected} is missing before commit ${v}`);
    }
    expected = v + 1;
  }
}

/** The oldest version with a checkpoint (or 0.json) followed by an unbroken chain of commits. */
function earliestRecreatable(listing: LogListing): Version | undefined {
  const versions = [...listing.commits.keys()].sort((a, b) => b - a);
  // The newest version missing from the commit chain below the latest commit, or -1.
  let lastMissing = -1;
  for (let i = 0; i < versions.length; i++) {
    const next = versions[i + 1];
    if (next === undefined) {
      lastMissing = versions[i]! - 1;
      break;
    }
    if (next !== versions[i]! - 1) {
      lastMissing = versions[i]! - 1;
      break;
    }
  }
  const starts = listing.checkpoints.map((c) => c.version);
  if (listing.commits.has(0)) starts.push(0);
  let earliest: Version | undefined;
  for (const s of starts) if (s >= lastMissing && (earliest === undefined || s < earliest)) earliest = s;
  return earliest;
}
