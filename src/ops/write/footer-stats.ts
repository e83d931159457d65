import type { Data, RecordBatch } from 'apache-arrow';
import { footerLeafBounds, type FooterBound, type LeafBounds } from '../../format/footer-leaf-bounds.js';
import type { ThriftStruct } from '../../format/thrift-compact.js';
import { decimalParts, type DeltaType } from '../../protocol/schema.js';
import { STRING_PREFIX_LENGTH } from '../../protocol/stats.js';
import { hasOrderedStats, type FileStatsCollector, type LeafAcc, type Stat } from './file-stats.js';

/**
 * The `add.stats` JSON of a file just written, taken from the footer the Parquet writer made:
 * null counts and min/max come from the column chunk statistics, merged over row groups, then
 * Delta's rules apply as in FileStatsCollector.toJson (string prefixes, milliseconds, exact
 * numbers). `batches` (what was written) are read only where the footer cannot answer exactly:
 * - float/double leaves get a NaN scan: the writer leaves NaN out of min/max and records no NaN
 *   count, and a file holding NaN must get no maximum;
 * - a leaf whose footer statistics are missing, or hold non-null values without bounds (an
 *   all-NaN chunk), gets the full JS pass;
 * - a string leaf whose maximum was cut by the writer (values over 64 bytes), or whose cut
 *   minimum is too short for Delta's prefix, gets the full JS pass.
 * Where footer and JS pass differ on purpose: a nested leaf under a null struct counts as null
 * and its hidden value is no bound (as Spark's `s.c` expression sees it); a zero minimum is
 * -0.0 and a zero maximum 0.0 whichever zero the data held (Parquet's rule; equal for readers).
 */
export function statsFromFooter(collector: FileStatsCollector, metadata: ThriftStruct, batches: readonly RecordBatch[]): string {
  const bounds = footerLeafBounds(metadata);
  const jsPass = new Set<number>();
  collector.leaves.forEach((leaf, index) => {
    const acc = leafFromFooter(leaf.field.type, bounds.get(JSON.stringify(leaf.path)));
    if (!acc) {
      jsPass.add(index);
      return;
    }
    if (leaf.field.type === 'float' || leaf.field.type === 'double') {
      acc.hasNaN = batches.some((b) => {
        const data = leaf.locate(b);
        return data !== undefined && holdsNaN(data);
      });
    }
    collector.setLeaf(index, acc);
  });
  for (const b of batches) collector.add(b, jsPass);
  return collector.toJson();
}

/** The leaf's statistics from the footer, in the collector's domain; undefined when inexact. */
function leafFromFooter(type: DeltaType, b: LeafBounds | undefined): LeafAcc | undefined {
  if (b?.nullCount === undefined || typeof type !== 'string') return undefined;
  const acc: LeafAcc = { nulls: b.nullCount };
  if (!hasOrderedStats(type)) return acc;
  if (!b.complete) return undefined;
  if (b.min === undefined || b.max === undefined) return acc; // only nulls
  if (type === 'string') {
    if (!b.maxExact) return undefined;
    const min = new TextDecoder().decode(b.min as Uint8Array);
    // A cut minimum is a true prefix; it serves while it is longer than Delta's own prefix (+1 for a surrogate pair).
    if (!b.minExact && min.length <= STRING_PREFIX_LENGTH + 1) return undefined;
    acc.min = min;
    acc.max = new TextDecoder().decode(b.max as Uint8Array);
    return acc;
  }
  const min = toStat(type, b.min);
  const max = toStat(type, b.max);
  if (min === undefined || max === undefined) return undefined;
  acc.min = min;
  acc.max = max;
  return acc;
}

/** A footer bound in the collector's domain: bigint for longs, timestamps and decimals, else numbers. */
function toStat(type: DeltaType & string, v: FooterBound): Stat | undefined {
  if (v instanceof Uint8Array) return undefined;
  if (type === 'long' || type === 'timestamp' || type === 'timestamp_ntz' || decimalParts(type)) return BigInt(v);
  return typeof v === 'number' ? v : undefined;
}

/** Whether a float column holds a valid NaN: one typed-array pass, validity checked only at NaN. */
function holdsNaN(data: Data): boolean {
  const values = data.values as Float32Array | Float64Array;
  for (let i = 0; i < data.length; i++) {
    const v = values[i]!;
    if (v !== v && data.getValid(i)) return true;
  }
  return false;
}
