import type { AddAction } from '../protocol/actions.js';
import type { ActiveFile } from '../snapshot/snapshot.js';
import type { OptimizePlan } from './optimize-plan.js';

/** commitInfo.operationMetrics of OPTIMIZE, with Spark's names (DeltaOperationMetrics.OPTIMIZE). */
export function optimizeMetrics(plan: OptimizePlan, removed: readonly ActiveFile[], adds: readonly AddAction[]): Record<string, string> {
  const sizes = adds.map((a) => a.size).sort((a, b) => a - b);
  const pct = (p: number): number => sizes[Math.min(sizes.length - 1, Math.floor(p * sizes.length))] ?? 0;
  return {
    numAddedFiles: String(adds.length),
    numRemovedFiles: String(removed.length),
    numAddedBytes: String(sizes.reduce((s, n) => s + n, 0)),
    numRemovedBytes: String(removed.reduce((s, f) => s + f.add.size, 0)),
    minFileSize: String(sizes[0] ?? 0),
    p25FileSize: String(pct(0.25)),
    p50FileSize: String(pct(0.5)),
    p75FileSize: String(pct(0.75)),
    maxFileSize: String(sizes[sizes.length - 1] ?? 0),
    numDeletionVectorsRemoved: String(removed.filter((f) => f.add.deletionVector !== undefined).length),
    numBatches: String(plan.bins.length),
    totalConsideredFiles: String(plan.filesConsidered),
    totalFilesSkipped: String(plan.filesSkipped),
    partitionsOptimized: String(new Set(plan.bins.map((b) => b.partitionKey)).size),
  };
}
