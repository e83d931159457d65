import type { FileFacts } from '../snapshot/file-facts.js';
import type { DeltaType } from '../protocol/schema.js';
import { compare, termMatches, type BoundTerm, type Comparable } from './filter.js';

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
    case 'in': return term.values.some((x) => (min === undefined || compare(min, x) <= 0) && (max === undefined || compare(max, x) >= 0));
    case 'not in': return !term.listHasNull; // with a null in the list no row matches (termMatches)
    default: return true; // != and not in: a file can almost always hold another value
  }
}

function numberOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

const STRING_PREFIX_LENGTH = 32;

/**
 * A stats bound in the comparable domain, or undefined when it cannot be trusted as a bound:
 * floats/decimals (NaN and rounding), truncated string maxima, unknown shapes.
 */
function statValue(raw: unknown, type: DeltaType, isMax: boolean): Comparable | undefined {
  if (raw === undefined || raw === null || typeof type !== 'string') return undefined;
  switch (type) {
    case 'byte': case 'short': case 'integer': case 'long':
      return typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
    case 'date': {
      if (typeof raw !== 'string') return undefined;
      const ms = Date.parse(raw.slice(0, 10) + 'T00:00:00Z');
      return Number.isNaN(ms) ? undefined : Math.floor(ms / 86_400_000);
    }
    case 'timestamp': case 'timestamp_ntz': {
      if (typeof raw !== 'string') return undefined;
      const zoned = type === 'timestamp_ntz' || !/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw.replace(/[zZ]$/, '') + 'Z' : raw;
      const ms = Date.parse(zoned);
      if (Number.isNaN(ms)) return undefined;
      // Writers truncate to milliseconds: a maximum may hide up to 999 more microseconds.
      return BigInt(ms) * 1000n + (isMax ? 999n : 0n);
    }
    case 'string':
      if (typeof raw !== 'string') return undefined;
      return isMax && [...raw].length >= STRING_PREFIX_LENGTH ? undefined : raw;
    default:
      return undefined;
  }
}
