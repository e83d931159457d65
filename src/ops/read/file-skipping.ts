import type { FileFacts } from '../../snapshot/file-facts.js';
import { compare, termMatches, type BoundTerm, type Comparable } from './filter.js';
import { statValue } from './stat-bounds.js';

export type { FileFacts };


/**
 * False only when no row of the file can match (PROTOCOL.md "Per-file Statistics"): partition
 * terms are decided exactly, data terms by min/max/nullCount; anything unknown keeps the file.
 * Bounds are compared with the same `compare` as rows (UTF-8 strings, NaN greatest), so a bound
 * never excludes a value the row filter would match.
 */
export function fileMayMatch(groups: BoundTerm[][] | undefined, facts: FileFacts): boolean {
  if (!groups) return true;
  return groups.some((group) => group.every((term) => termMayMatch(term, facts)));
}

function termMayMatch(term: BoundTerm, facts: FileFacts): boolean {
  const pv = facts.partitionValue(term.column);
  if (pv !== undefined) return termMatches(term, pv);
  const stats = facts.stats();
  if (!stats) return true;
  const key = facts.statsKey(term.column);
  const nullCount = numberOrUndefined(stats.nullCount?.[key]);
  const numRecords = stats.numRecords;
  const allNull = nullCount !== undefined && numRecords !== undefined && nullCount === numRecords;
  if (term.op === 'is null') return nullCount !== 0;
  if (term.op === 'is not null') return !allNull;
  if (allNull && numRecords !== undefined && numRecords > 0) return false;
  const min = statValue(stats.minValues?.[key], term.field.type, false);
  const max = statValue(stats.maxValues?.[key], term.field.type, true);
  const v = term.values[0]!;
  switch (term.op) {
    case '=': return (min === undefined || compare(min, v) <= 0) && (max === undefined || compare(max, v) >= 0);
    case '<': return min === undefined || compare(min, v) < 0;
    case '<=': return min === undefined || compare(min, v) <= 0;
    case '>': return max === undefined || compare(max, v) > 0;
    case '>=': return max === undefined || compare(max, v) >= 0;
    case 'in': return inListMayMatch(term, min, max);
    case 'not in': return !term.listHasNull; // with a null in the list no row matches (termMatches)
    default: return true; // != and not in: a file can almost always hold another value
  }
}

/** Lists longer than this are searched sorted (a MERGE's source keys can be 100k long). */
const LINEAR_IN_LIST = 16;
const sortedLists = new WeakMap<BoundTerm, readonly Comparable[]>();

/** Whether some value of an `in` list lies within [min, max] (bounds unknown: unbounded). */
function inListMayMatch(term: BoundTerm, min: Comparable | undefined, max: Comparable | undefined): boolean {
  const within = (x: Comparable): boolean => (min === undefined || compare(min, x) <= 0) && (max === undefined || compare(max, x) >= 0);
  if (term.values.length <= LINEAR_IN_LIST) return term.values.some(within);
  let sorted = sortedLists.get(term);
  if (!sorted) sortedLists.set(term, (sorted = [...term.values].sort(compare)));
  // The first value >= min; the list holds one within the bounds iff that one is <= max.
  let lo = 0;
  let hi = sorted.length;
  while (min !== undefined && lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(sorted[mid]!, min) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && within(sorted[lo]!);
}

function numberOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
