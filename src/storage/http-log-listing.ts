import type { ObjectMeta } from './object-store.js';

/*
 * Listing `_delta_log/` where the server cannot list (static hosts, CDNs), by asking for files
 * whose names are known (PROTOCOL.md "Delta Log Entries", "Last Checkpoint File"):
 *
 *   _last_checkpoint ──> checkpoint files at its version (single, multi-part or V2 by name)
 *        │ absent: start at 00000000000000000000.json (or the oldest commit log cleanup left)
 *        v
 *   commits are contiguous, so the newest is found by GETs at v+1, v+2, v+4, ... until a 404,
 *   then a binary search between the last hit and that miss; the ones between are fetched too.
 *
 * The storage layer knows no protocol code, so the few names and fields it needs are spelled here.
 * A commit's time is its commitInfo.timestamp (HTTP Last-Modified has only whole seconds and is
 * often the upload time, not the commit's), else Last-Modified.
 */

/** What the listing needs of the store: one GET that says "absent" instead of throwing. */
export interface LogProber {
  get(path: string): Promise<Uint8Array>;
  head(path: string): Promise<ObjectMeta | undefined>;
  probe(path: string): Promise<{ meta: ObjectMeta; bytes: Uint8Array } | undefined>;
}

const LOG = '_delta_log/';
const PARALLEL_GETS = 8;

/** The `_delta_log/` entries after `startAfter` (all of them without it), in path order. */
export async function* listLogByProbing(store: LogProber, startAfter?: string): AsyncIterable<ObjectMeta> {
  const hint = await lastCheckpoint(store);
  const afterVersion = startAfter === undefined ? undefined : versionIn(startAfter);
  const entries: ObjectMeta[] = [];
  if (hint && (afterVersion === undefined || hint.version >= afterVersion)) {
    entries.push(...await checkpointFiles(store, hint));
  }
  const commits = new Map<number, ObjectMeta>();
  const absent = new Set<number>(); // within one listing a miss stays a miss: ask once
  const probe = async (v: number): Promise<boolean> => {
    if (commits.has(v)) return true;
    if (absent.has(v)) return false;
    const found = await store.probe(commitName(v));
    if (found) commits.set(v, { ...found.meta, lastModifiedMs: commitTime(found.bytes) ?? found.meta.lastModifiedMs });
    else absent.add(v);
    return found !== undefined;
  };
  const first = afterVersion ?? await oldestCommit(probe, hint?.version);
  if (first !== undefined) {
    const latest = await newestCommit(probe, first);
    const missing: number[] = [];
    for (let v = first; v <= latest; v++) if (!commits.has(v)) missing.push(v);
    for (let i = 0; i < missing.length; i += PARALLEL_GETS) await Promise.all(missing.slice(i, i + PARALLEL_GETS).map(probe));
    for (let v = first; v <= latest; v++) {
      const meta = commits.get(v);
      if (meta) entries.push(meta); // absent only if deleted while probing; list-log reports the gap
    }
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const e of entries) if (startAfter === undefined || e.path > startAfter) yield e;
}

interface Hint { version: number; parts?: number; v2Path?: string }

async function lastCheckpoint(store: LogProber): Promise<Hint | undefined> {
  const found = await store.probe(`${LOG}_last_checkpoint`);
  if (!found) return undefined;
  try {
    const raw = JSON.parse(new TextDecoder().decode(found.bytes)) as Record<string, unknown>;
    const version = raw['version'];
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) return undefined;
    const parts = raw['parts'];
    const v2 = raw['v2Checkpoint'] as { path?: unknown } | undefined;
    return {
      version,
      ...(typeof parts === 'number' && parts > 1 ? { parts } : {}),
      ...(typeof v2?.path === 'string' ? { v2Path: v2.path } : {}),
    };
  } catch {
    return undefined; // only a hint: without it the log is probed from the start
  }
}

async function checkpointFiles(store: LogProber, hint: Hint): Promise<ObjectMeta[]> {
  const names = hint.v2Path !== undefined ? [hint.v2Path.includes('/') ? hint.v2Path : LOG + hint.v2Path]
    : hint.parts !== undefined
      ? Array.from({ length: hint.parts }, (_, i) => `${LOG}${pad(hint.version)}.checkpoint.${pad(i + 1, 10)}.${pad(hint.parts!, 10)}.parquet`)
      : [`${LOG}${pad(hint.version)}.checkpoint.parquet`];
  const metas = await Promise.all(names.map((n) => store.head(n)));
  return metas.every((m) => m !== undefined) ? metas : [];
}

/** The oldest commit: 0, else (log cleanup ran) the first one of the contiguous run up to the checkpoint. */
async function oldestCommit(probe: (v: number) => Promise<boolean>, checkpointVersion: number | undefined): Promise<number | undefined> {
  if (await probe(0)) return 0;
  if (checkpointVersion === undefined) return undefined;
  let hi = checkpointVersion + 1;
  if (!await probe(hi) && !await probe(checkpointVersion)) return checkpointVersion + 1;
  if (await probe(checkpointVersion)) hi = checkpointVersion;
  let lo = 0; // absent
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await probe(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The newest commit at or after `from` (from itself when nothing follows, even if it is absent). */
async function newestCommit(probe: (v: number) => Promise<boolean>, from: number): Promise<number> {
  let present = from - 1;
  if (await probe(from)) present = from;
  let step = 1;
  while (await probe(present + step)) {
    present += step;
    step *= 2;
  }
  let absent = present + step;
  while (absent - present > 1) {
    const mid = Math.floor((present + absent) / 2);
    if (await probe(mid)) present = mid;
    else absent = mid;
  }
  return present;
}

function commitTime(bytes: Uint8Array): number | undefined {
  for (const line of new TextDecoder().decode(bytes).split('\n')) {
    if (!line.startsWith('{"commitInfo"')) continue;
    try {
      const ts = (JSON.parse(line) as { commitInfo?: { timestamp?: unknown } }).commitInfo?.timestamp;
      return typeof ts === 'number' && Number.isFinite(ts) ? ts : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function versionIn(path: string): number | undefined {
  const m = /^_delta_log\/(\d{1,20})/.exec(path);
  return m ? Number(m[1]) : undefined;
}

function commitName(v: number): string {
  return `${LOG}${pad(v)}.json`;
}

function pad(n: number, width = 20): string {
  return String(n).padStart(width, '0');
}
