import type { Version } from '../../protocol/actions.js';
import { logRetentionMs } from '../../protocol/table-config.js';
import { LOG_DIR, parseLogFileName } from '../../protocol/log-paths.js';
import type { ObjectMeta, ObjectStore } from '../../storage/object-store.js';

export interface LogCleanupResult {
  /** Log files deleted, relative to the table root. */
  deleted: string[];
  /** The checkpoint everything older was deleted below, if any. */
  cutoffCheckpoint: Version | undefined;
}

/**
 * Expired log cleanup (PROTOCOL.md "Metadata Cleanup"): with cutoff = now - logRetentionDuration,
 * take the newest checkpoint whose (monotonized) commit time is older than the cutoff, and delete
 * commits, checkpoints and checksums strictly below it. That checkpoint and its commit stay, so
 * every version from it onwards still opens; nothing newer is ever touched.
 */
export async function cleanupExpiredLogs(
  store: ObjectStore, configuration: Record<string, string>, opts: { now?: () => number } = {},
): Promise<LogCleanupResult> {
  const cutoff = (opts.now ?? Date.now)() - logRetentionMs(configuration);
  const commits = new Map<Version, ObjectMeta>();
  const checkpoints = new Map<Version, ObjectMeta[]>();
  const crcs: Array<{ version: Version; meta: ObjectMeta }> = [];
  for await (const meta of store.list(LOG_DIR)) {
    const parsed = parseLogFileName(meta.path.slice(LOG_DIR.length));
    if (parsed.kind === 'commit') commits.set(parsed.version, meta);
    else if (parsed.kind === 'checkpoint') checkpoints.set(parsed.version, [...(checkpoints.get(parsed.version) ?? []), meta]);
    else if (parsed.kind === 'crc') crcs.push({ version: parsed.version, meta });
  }
  // Commit times made monotonic as Spark does (+1 ms when a clock stepped back): a checkpoint
  // whose time is <= cutoff then proves every older version expired too.
  const mono = new Map<Version, number>();
  let prev = -Infinity;
  for (const v of [...commits.keys()].sort((a, b) => a - b)) {
    prev = Math.max(commits.get(v)!.lastModifiedMs, prev + 1);
    mono.set(v, prev);
  }
  let cutoffCheckpoint: Version | undefined;
  for (const [version, files] of checkpoints) {
    const time = mono.get(version) ?? Math.max(...files.map((f) => f.lastModifiedMs));
    if (time <= cutoff && (cutoffCheckpoint === undefined || version > cutoffCheckpoint)) cutoffCheckpoint = version;
  }
  if (cutoffCheckpoint === undefined) return { deleted: [], cutoffCheckpoint };
  const cp = cutoffCheckpoint;
  const doomed: string[] = [];
  for (const [v, m] of commits) if (v < cp) doomed.push(m.path);
  for (const [v, files] of checkpoints) if (v < cp) for (const f of files) doomed.push(f.path);
  for (const c of crcs) if (c.version < cp) doomed.push(c.meta.path);
  // Oldest first: a crash midway leaves a log that still starts at a checkpoint or a contiguous tail.
  doomed.sort();
  for (const p of doomed) await store.delete(p);
  return { deleted: doomed, cutoffCheckpoint };
}
