import type { Comparable } from '../../snapshot/file-facts.js';

/**
 * The one order every filter evaluation uses (rows, partition values, file and row-group
 * statistics), so that skipping never disagrees with row filtering (spec/reading.md, "Filter
 * semantics"):
 * - numbers and bigints compare exactly across the two kinds;
 * - NaN equals NaN and is greater than every other value, +Infinity included (Spark's order);
 * - -0.0 equals 0.0;
 * - strings compare in UTF-8 byte order, as Spark, Delta statistics and Parquet footers do;
 * - false < true.
 * Nulls never reach this function: callers apply SQL three-valued logic first.
 */
export function compareValues(a: Comparable, b: Comparable): number {
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  const aNaN = typeof a === 'number' && Number.isNaN(a);
  const bNaN = typeof b === 'number' && Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  // `<` between number and bigint is exact in JS, and treats -0 and 0 as equal.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * UTF-8 byte order of two strings without encoding them. UTF-8 byte order is code point order;
 * UTF-16 code unit order agrees with it except where one string has a surrogate (a character
 * from U+10000 up) and the other a unit in U+E000–U+FFFF at the first difference. Remapping
 * just that differing unit puts surrogates above U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length < 0 ? -1 : 1;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
  return codePointRank(x) < codePointRank(y) ? -1 : 1;
}

/** A UTF-16 unit's rank in code point order: surrogates (D800–DFFF) move above E000–FFFF. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
