import type { Version } from '../../protocol/actions.js';
import { logRetentionMs } from '../../protocol/table-config.js';
import { LOG_DIR, parseLogFileName, type LogFileName } from '../../protocol/log-paths.js';
import { isDeltaError } from '../../errors.js';
import type { CheckpointFiles } from '../../log/log-segment.js';
import { CheckpointSource } from '../../log/read-checkpoint.js';
import type { ObjectMeta, ObjectStore } from '../../storage/object-store.js';

export interface LogCleanupResult {
  /** Log files deleted, relative to the table root. */
  deleted: string[];
  /** The checkpoint everything older was deleted below, if any. */
  cutoffCheckpoint: Version | undefined;
}

/**
 * Expired log cleanup (PROTOCOL.md "Metadata Cleanup"): with cutoff = now - logRetentionDuration,
 * take the newest complete, readable checkpoint whose (monotonized) commit time is older than
 * the cutoff, and delete commits, checkpoints and checksums strictly below it. That checkpoint
 * and its commit stay, so every version from it onwards still opens; nothing newer is ever
 * touched. A multi-part checkpoint missing a part, or a checkpoint that cannot be opened, is
 * never a cutoff: deleting the commits below it would leave versions inside retention that
 * nothing can rebuild.
 *
 * The listing stops at the first commit newer than the cutoff: monotonized times only grow
 * with the version, so nothing after it can be a cutoff, and on a local disk the entries not
 * reached are never stat'ed (a young table's cleanup costs one chunk of stats, not the log).
 */
export async function cleanupExpiredLogs(
  store: ObjectStore, configuration: Record<string, string>, opts: { now?: () => number } = {},
): Promise<LogCleanupResult> {
  const cutoff = (opts.now ?? Date.now)() - logRetentionMs(configuration);
  const commits = new Map<Version, ObjectMeta>();
  const checkpointFiles: Array<{ name: Extract<LogFileName, { kind: 'checkpoint' }>; meta: ObjectMeta }> = [];
  const crcs: Array<{ version: Version; meta: ObjectMeta }> = [];
  // Commit times made monotonic as Spark does (+1 ms when a clock stepped back): a checkpoint
  // whose time is <= cutoff then proves every older version expired too.
  const mono = new Map<Version, number>();
  let prev = -Infinity;
  for await (const meta of store.list(LOG_DIR)) {
    const parsed = parseLogFileName(meta.path.slice(LOG_DIR.length));
    if (parsed.kind === 'commit') {
      commits.set(parsed.version, meta);
      prev = Math.max(meta.lastModifiedMs, prev + 1);
      mono.set(parsed.version, prev);
      if (prev > cutoff) break;
    } else if (parsed.kind === 'checkpoint') checkpointFiles.push({ name: parsed, meta });
    else if (parsed.kind === 'crc') crcs.push({ version: parsed.version, meta });
  }
  const candidates = completeCheckpoints(checkpointFiles)
    .filter((c) => (mono.get(c.version) ?? Math.max(...c.files.map((f) => f.lastModifiedMs))) <= cutoff)
    .sort((a, b) => b.version - a.version);
  let cutoffCheckpoint: Version | undefined;
  for (const c of candidates) {
    if (await opens(store, c)) {
      cutoffCheckpoint = c.version;
      break;
    }
  }
  if (cutoffCheckpoint === undefined) return { deleted: [], cutoffCheckpoint };
  const cp = cutoffCheckpoint;
  const doomed: string[] = [];
  for (const [v, m] of commits) if (v < cp) doomed.push(m.path);
  for (const f of checkpointFiles) if (f.name.version < cp) doomed.push(f.meta.path);
  for (const c of crcs) if (c.version < cp) doomed.push(c.meta.path);
  // Oldest first: a crash midway leaves a log that still starts at a checkpoint or a contiguous tail.
  doomed.sort();
  for (const p of doomed) await store.delete(p);
  return { deleted: doomed, cutoffCheckpoint };
}

/** The checkpoints with every part present (a multi-part set missing one is a writer that died). */
function completeCheckpoints(files: ReadonlyArray<{ name: Extract<LogFileName, { kind: 'checkpoint' }>; meta: ObjectMeta }>): CheckpointFiles[] {
  const out: CheckpointFiles[] = [];
  const parts = new Map<string, { version: Version; parts: number; files: Map<number, ObjectMeta> }>();
  for (const { name, meta } of files) {
    if (name.variant !== 'multipart') {
      out.push({ version: name.version, kind: name.variant, files: [meta] });
      continue;
    }
    const key = `${name.version}/${name.parts}`;
    const group = parts.get(key) ?? { version: name.version, parts: name.parts, files: new Map() };
    group.files.set(name.part, meta);
    parts.set(key, group);
  }
  for (const g of parts.values()) {
    if (g.files.size === g.parts) out.push({ version: g.version, kind: 'multipart', files: [...g.files.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m) });
  }
  return out;
}

/** Whether a reader could start from this checkpoint: its files open and its non-file actions parse. */
async function opens(store: ObjectStore, checkpoint: CheckpointFiles): Promise<boolean> {
  try {
    await CheckpointSource.open(store, checkpoint);
    return true;
  } catch (err) {
    if (isDeltaError(err, 'CORRUPT_LOG') || isDeltaError(err, 'FILE_NOT_FOUND')) return false;
    throw err;
  }
}
