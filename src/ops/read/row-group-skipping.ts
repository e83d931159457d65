import { bytesToHex } from '../../format/byte-text.js';
import type { ColumnChunkStats, RowGroupInfo } from '../../format/parquet-footer.js';
import { parsePartitionValue } from '../../protocol/partition-values.js';
import { findField, type DeltaType } from '../../protocol/schema.js';
import { physicalName } from '../../protocol/column-mapping.js';
import type { FileStats } from '../../protocol/stats.js';
import type { ActiveFile, Snapshot, TableState } from '../../snapshot/snapshot.js';
import { fileMayMatch, type FileFacts } from './file-skipping.js';
import type { BoundTerm, Comparable } from './filter.js';

/**
 * The row groups of `file` a filter may match, judged like whole files (fileMayMatch) but on
 * each row group's footer statistics. Only an optimisation: rows are still filtered exactly.
 */
export function rowGroupsMayMatch(snapshot: Snapshot, file: ActiveFile, filter: BoundTerm[][], rowGroups: RowGroupInfo[]): number[] {
  const partitionValue = partitionValueReader(snapshot, file);
  const statsKey = (column: string): string => physicalName(findField(snapshot.schema, column)!, snapshot.columnMapping);
  const columns = [...new Set(filter.flat().map((t) => t.column))].map((c) => ({ key: statsKey(c), type: findField(snapshot.schema, c)!.type }));
  const kept: number[] = [];
  rowGroups.forEach((rg, i) => {
    const facts: FileFacts = { partitionValue, statsKey, stats: () => rowGroupStats(rg, columns) };
    if (fileMayMatch(filter, facts)) kept.push(i);
  });
  return kept;
}

/** Typed partition values of a file, in the filters' comparable domain (undefined: not a partition column). */
export function partitionValueReader(snapshot: Snapshot, file: ActiveFile): (column: string) => Comparable | null | undefined {
  return partitionValueIn(snapshot, file.add.partitionValues);
}

/** As partitionValueReader, over an `add.partitionValues` map. */
export function partitionValueIn(snapshot: TableState, values: Readonly<Record<string, string | null>>): (column: string) => Comparable | null | undefined {
  return (column) => {
    const field = snapshot.partitionColumns.some((c) => c.toLowerCase() === column.toLowerCase()) ? findField(snapshot.schema, column) : undefined;
    if (!field) return undefined;
    const key = physicalName(field, snapshot.columnMapping);
    const raw = key in values ? values[key] : values[field.name];
    const v = parsePartitionValue(raw ?? null, field.type);
    if (v === null || v === undefined) return null;
    if (v instanceof Uint8Array) return bytesToHex(v);
    return v as Comparable;
  };
}

/** A row group's statistics in the shape of `add.stats` (PROTOCOL.md "Per-file Statistics"). */
function rowGroupStats(rg: RowGroupInfo, columns: Array<{ key: string; type: DeltaType }>): FileStats {
  const stats: FileStats = { numRecords: rg.numRows, minValues: {}, maxValues: {}, nullCount: {}, tightBounds: true };
  for (const { key, type } of columns) {
    const chunk = rg.columns.get(key);
    if (!chunk) continue;
    if (chunk.nullCount !== undefined) stats.nullCount![key] = chunk.nullCount;
    const min = statJson(chunk.min, chunk, type);
    const max = statJson(chunk.max, chunk, type);
    if (min !== undefined) stats.minValues![key] = min;
    if (max !== undefined) stats.maxValues![key] = max;
  }
  return stats;
}

const MS_PER_DAY = 86_400_000;
const PER_MS = { ms: 1n, us: 1000n, ns: 1_000_000n } as const;

/** A footer bound as add.stats JSON would hold it, or undefined when it cannot serve as one. */
function statJson(v: ColumnChunkStats['min'], chunk: ColumnChunkStats, type: DeltaType): unknown {
  if (v === undefined || typeof type !== 'string') return undefined;
  switch (type) {
    case 'byte': case 'short': case 'integer':
      return typeof v === 'number' ? v : undefined;
    case 'long': // beyond 2^53 the footer gives a bigint, which statValue takes exactly
      return typeof v === 'number' || typeof v === 'bigint' ? v : undefined;
    case 'date':
      return typeof v === 'number' ? isoOf(v * MS_PER_DAY)?.slice(0, 10) : undefined;
    case 'timestamp': case 'timestamp_ntz': {
      if (v instanceof Uint8Array || !chunk.timeUnit) return undefined;
      // Floor to milliseconds, as add.stats does; file skipping widens a maximum by 999 us.
      const per = PER_MS[chunk.timeUnit];
      const big = BigInt(v);
      const ms = big / per - (big % per < 0n ? 1n : 0n);
      return isoOf(Number(ms));
    }
    case 'string': {
      if (!(v instanceof Uint8Array)) return undefined;
      // Footer bounds are in UTF-8 byte order, the order filters compare strings in (compareUtf8).
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(v);
      } catch {
        return undefined; // not UTF-8: no usable bound
      }
    }
    default:
      return undefined;
  }
}

function isoOf(ms: number): string | undefined {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
