import type { AddAction } from '../../protocol/actions.js';
import type { ActiveFile } from '../../snapshot/snapshot.js';
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

/** A DNF filter as SQL text, the form Spark records OPTIMIZE predicates in (operationParameters.predicate). */
export function filterAsSql(filter: unknown): string {
  if (typeof filter === 'string') return filter;
  const groups = (Array.isArray(filter) && Array.isArray(filter[0]) && Array.isArray((filter[0] as unknown[])[0]) ? filter : [filter]) as unknown[][][];
  const literal = (v: unknown): string => {
    if (v === null) return 'NULL';
    if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
    if (Array.isArray(v)) return `(${v.map(literal).join(', ')})`;
    if (v instanceof Date) return `'${v.toISOString()}'`;
    return String(v);
  };
  const term = ([c, op, v]: unknown[]): string => {
    const column = `\`${String(c).replace(/`/g, '``')}\``;
    if (v === null) return `${column} IS ${op === '!=' ? 'NOT ' : ''}NULL`;
    return `${column} ${op === 'in' ? 'IN' : op === 'not in' ? 'NOT IN' : String(op)} ${literal(v)}`;
  };
  const sql = groups.map((g) => g.map(term).join(' AND '));
  return sql.length === 1 ? sql[0]! : sql.map((s) => `(${s})`).join(' OR ');
}
