import { emitWarning, invalidArgument } from '../errors.js';
import { readCommit } from '../log/read-commit.js';
import type { Action, Version } from '../protocol/actions.js';
import { commitPath } from '../protocol/log-paths.js';
import { optimizeTable, type OptimizeResult } from '../ops/maintain/optimize.js';
import { partitionKeyOf } from '../ops/maintain/optimize-plan.js';
import { loadSnapshot, snapshotAfterCommit, type Snapshot } from '../snapshot/snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface AutoCompactOptions {
  /** A touched partition is compacted once it holds at least this many small files. @defaultValue 50 */
  minNumFiles?: number;
  /** Size of the compacted files; files below half of it are small. @defaultValue 128 MiB */
  targetSizeBytes?: number;
}

/** Spark's autoCompact.minNumFiles and autoCompact.maxFileSize defaults (S/hooks/AutoCompact.scala). */
const DEFAULT_MIN_NUM_FILES = 50;
const DEFAULT_TARGET_SIZE_BYTES = 128 * 1024 * 1024;

/** The autoCompact setting as options, or undefined when off; refuses malformed settings. */
export function autoCompactSettings(setting: boolean | AutoCompactOptions | undefined): Required<AutoCompactOptions> | undefined {
  if (setting === undefined || setting === false) return undefined;
  const o: AutoCompactOptions = setting === true ? {} : setting;
  for (const key of ['minNumFiles', 'targetSizeBytes'] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)) {
      throw invalidArgument(`writeStream: autoCompact.${key} must be a positive integer, got ${String(v)}`, `omit ${key} for the default, or pass autoCompact: true`);
    }
  }
  return { minNumFiles: o.minNumFiles ?? DEFAULT_MIN_NUM_FILES, targetSizeBytes: o.targetSizeBytes ?? DEFAULT_TARGET_SIZE_BYTES };
}

/** Commits a remembered file list is carried forward before it is loaded again from the log. */
const MAX_CARRIED_COMMITS = 100;

/**
 * Spark's auto-compaction after each sink commit, for one sink:
 *   partitions the commit added files to ─► those holding >= minNumFiles files below
 *   targetSizeBytes/2 ─► OPTIMIZE of just them (auto=true), its own commit
 * The check needs the table's file list after every batch. The sink's own commits are replayed
 * onto the list it knows (snapshotAfterCommit) when nobody else committed in between; otherwise,
 * after a compaction, and every MAX_CARRIED_COMMITS commits, it is loaded from the log. Few
 * files are ever live here (compaction bounds them), so keeping the list costs little.
 * Best effort: the batch has committed, so a failure here is a DeltaAutoCompactWarning and
 * undefined, never an error of the batch.
 */
export class AutoCompactor {
  private known: { snapshot: Snapshot; carried: number } | undefined;

  constructor(private readonly settings: Required<AutoCompactOptions>) {}

  async after(store: ObjectStore, version: Version): Promise<OptimizeResult | undefined> {
    const settings = this.settings;
    try {
      const actions = await readCommit(store, version);
      const touched = new Set<string>();
      for (const a of actions) if ('add' in a) touched.add(partitionKeyOf(a.add.partitionValues));
      const snapshot = await this.snapshotAt(store, version, actions);
      if (touched.size === 0) return undefined;
      const minFileSizeBytes = Math.max(1, Math.floor(settings.targetSizeBytes / 2));
      const small = new Map<string, number>();
      for (const f of snapshot.files) {
        const key = partitionKeyOf(f.add.partitionValues);
        if (touched.has(key) && f.add.size < minFileSizeBytes) small.set(key, (small.get(key) ?? 0) + 1);
      }
      const due = new Set([...small].filter(([, n]) => n >= settings.minNumFiles).map(([k]) => k));
      if (due.size === 0) return undefined;
      this.known = undefined; // the compaction commits next: the list is loaded again after it
      return await optimizeTable(snapshot, { targetSizeBytes: settings.targetSizeBytes, minFileSizeBytes, onlyPartitions: due, auto: true });
    } catch (err) {
      this.known = undefined;
      emitWarning(`auto-compaction after version ${version} failed (the batch itself committed): ${err instanceof Error ? err.message : String(err)}`, 'DeltaAutoCompactWarning');
      return undefined;
    }
  }

  /** The table at `version` (whose actions are given): the remembered list one commit on, or a load. */
  private async snapshotAt(store: ObjectStore, version: Version, actions: readonly Action[]): Promise<Snapshot> {
    const known = this.known;
    let snapshot: Snapshot | undefined;
    if (known && known.snapshot.version === version - 1 && known.carried < MAX_CARRIED_COMMITS) {
      const file = await store.head(commitPath(version));
      if (file) {
        snapshot = snapshotAfterCommit(known.snapshot, actions, file);
        this.known = { snapshot, carried: known.carried + 1 };
      }
    }
    if (!snapshot) {
      snapshot = await loadSnapshot(store, { version, tombstones: false }); // optimize needs files, not tombstones
      this.known = { snapshot, carried: 0 };
    }
    return snapshot;
  }
}
