import { emitWarning, invalidArgument } from '../errors.js';
import { readCommit } from '../log/read-commit.js';
import type { Version } from '../protocol/actions.js';
import { optimizeTable, type OptimizeResult } from '../ops/maintain/optimize.js';
import { partitionKeyOf } from '../ops/maintain/optimize-plan.js';
import { loadSnapshot } from '../snapshot/snapshot.js';
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

/**
 * Spark's auto-compaction after the sink commit at `version`:
 *   partitions the commit added files to ─► those holding >= minNumFiles files below
 *   targetSizeBytes/2 ─► OPTIMIZE of just them (auto=true), its own commit
 * Best effort: the batch has committed, so a failure here is a DeltaAutoCompactWarning and
 * undefined, never an error of the batch.
 */
export async function autoCompactAfter(store: ObjectStore, version: Version, settings: Required<AutoCompactOptions>): Promise<OptimizeResult | undefined> {
  try {
    const touched = new Set<string>();
    for (const a of await readCommit(store, version)) if ('add' in a) touched.add(partitionKeyOf(a.add.partitionValues));
    if (touched.size === 0) return undefined;
    const snapshot = await loadSnapshot(store, { tombstones: false }); // optimize needs files, not tombstones
    const minFileSizeBytes = Math.max(1, Math.floor(settings.targetSizeBytes / 2));
    const small = new Map<string, number>();
    for (const f of snapshot.files) {
      const key = partitionKeyOf(f.add.partitionValues);
      if (touched.has(key) && f.add.size < minFileSizeBytes) small.set(key, (small.get(key) ?? 0) + 1);
    }
    const due = new Set([...small].filter(([, n]) => n >= settings.minNumFiles).map(([k]) => k));
    if (due.size === 0) return undefined;
    return await optimizeTable(snapshot, { targetSizeBytes: settings.targetSizeBytes, minFileSizeBytes, onlyPartitions: due, auto: true });
  } catch (err) {
    emitWarning(`auto-compaction after version ${version} failed (the batch itself committed): ${err instanceof Error ? err.message : String(err)}`, 'DeltaAutoCompactWarning');
    return undefined;
  }
}
