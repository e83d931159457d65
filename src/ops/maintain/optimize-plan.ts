import { parseStats } from '../../protocol/stats.js';
import type { ActiveFile, Snapshot } from '../../snapshot/snapshot.js';
import type { Filter } from '../read/filter.js';
import { pruneFiles } from '../read/scan.js';
import { partitionKeyOf } from './optimize-partition.js';
import { bindPartitionPredicate } from './optimize-predicate.js';

export { partitionKeyOf };

/** Default output file size (Spark's OPTIMIZE writes up to 1 GiB; 256 MiB keeps a file's rewrite in memory). */
export const DEFAULT_TARGET_SIZE_BYTES = 256 * 1024 * 1024;
/**
 * Z-order sorts each bin of up to this many input bytes on its own (Spark bins Z-order input by
 * optimize.maxFileSize, 1 GiB): the bound on what one Z-order task holds in memory.
 */
export const ZORDER_MAX_BIN_BYTES = 1024 * 1024 * 1024;

export interface OptimizePlanOptions {
  targetSizeBytes?: number;
  minFileSizeBytes?: number;
  predicate?: Filter | string;
  zOrderBy?: string[];
  /** Only these partitions (keys from partitionKeyOf): auto-compaction's touched partitions. */
  onlyPartitions?: ReadonlySet<string>;
  /** Files already rewritten by an earlier plan of the same OPTIMIZE (considered, not planned again). */
  excludePaths?: ReadonlySet<string>;
}

/** One rewrite task: files of one partition that become new files together. */
export interface OptimizeBin {
  partitionKey: string;
  files: ActiveFile[];
  bytes: number;
}

export interface OptimizePlan {
  bins: OptimizeBin[];
  /** Files the predicate selected. */
  filesConsidered: number;
  /** Considered files that are left as they are. */
  filesSkipped: number;
  targetSizeBytes: number;
  zOrderBy: string[];
}

/**
 * Chooses what OPTIMIZE rewrites (Spark OptimizeExecutor):
 *   candidates = files below minFileSizeBytes, and every file with a deletion vector
 *   bins       = per partition, candidates packed greedily (log order) up to targetSizeBytes
 *   dropped    = bins of one file without a deletion vector (rewriting it changes nothing)
 * Z-order instead takes every file of each partition, in bins of up to ZORDER_MAX_BIN_BYTES, and
 * keeps single-file bins (the rewrite sorts the rows).
 */
export function planOptimize(snapshot: Snapshot, opts: OptimizePlanOptions): OptimizePlan {
  const target = opts.targetSizeBytes ?? DEFAULT_TARGET_SIZE_BYTES;
  // Spark's defaults make the two equal (both 1 GiB): a file is small when it is below the target.
  const minFileSize = opts.minFileSizeBytes ?? target;
  const zOrderBy = opts.zOrderBy ?? [];
  const selection = bindPartitionPredicate(snapshot, opts.predicate);
  const files = selection ? pruneFiles(snapshot, selection.pruning).filter((f) => selection.matches(f)) : [...snapshot.files];
  const byPartition = new Map<string, ActiveFile[]>();
  for (const f of files) {
    const isCandidate = zOrderBy.length > 0 || f.add.size < minFileSize || f.add.deletionVector !== undefined;
    if (!isCandidate || opts.excludePaths?.has(f.add.path)) continue;
    const key = partitionKeyOf(f.add.partitionValues);
    if (opts.onlyPartitions && !opts.onlyPartitions.has(key)) continue;
    const list = byPartition.get(key) ?? [];
    list.push(f);
    byPartition.set(key, list);
  }
  const binLimit = zOrderBy.length > 0 ? Math.max(target, ZORDER_MAX_BIN_BYTES) : target;
  const bins: OptimizeBin[] = [];
  for (const [partitionKey, list] of byPartition) {
    let current: OptimizeBin | undefined;
    for (const f of list) {
      if (current && current.bytes + f.add.size > binLimit) {
        bins.push(current);
        current = undefined;
      }
      current ??= { partitionKey, files: [], bytes: 0 };
      current.files.push(f);
      current.bytes += f.add.size;
    }
    if (current) bins.push(current);
  }
  const kept = bins.filter((b) => zOrderBy.length > 0 || b.files.length > 1 || b.files.some((f) => f.add.deletionVector !== undefined));
  const rewritten = kept.reduce((s, b) => s + b.files.length, 0);
  return { bins: kept, filesConsidered: files.length, filesSkipped: files.length - rewritten, targetSizeBytes: target, zOrderBy };
}

/** Rows a file holds after its deletion vector, when the log says. */
export function liveRecords(file: ActiveFile): number | undefined {
  const n = parseStats(file.add.stats)?.numRecords;
  if (n === undefined) return undefined;
  return n - (file.add.deletionVector?.cardinality ?? 0);
}
