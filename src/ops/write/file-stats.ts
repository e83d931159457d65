import type { Data, RecordBatch } from 'apache-arrow';
import { compareBytes, utf8Bytes } from '../../format/byte-text.js';
import { formatDateStat, formatTimestampStat } from '../../protocol/datetime.js';
import { JsonNumber, stringifyLosslessJson, type JsonOut } from '../../protocol/lossless-json.js';
import { formatDecimal, formatFloat } from '../../protocol/numbers.js';
import { truncateStringStat } from '../../protocol/stats.js';
import { decimalParts, type DeltaType, type StructField } from '../../protocol/schema.js';
import { comparableReader } from '../read/comparable-values.js';

/** A bound in the comparable domain (comparable-values.ts): bigint for longs, timestamps, decimals. */
export type Stat = number | string | bigint | boolean;
/** One leaf's statistics so far. */
export interface LeafAcc { min?: Stat; max?: Stat; nulls: number; hasNaN?: boolean }
/** A leaf column that gets statistics: its physical path, its field, and how to find it in a batch. */
export interface StatsLeaf { path: string[]; field: StructField; locate: (b: RecordBatch) => Data | undefined }
interface Node { [key: string]: Node | LeafAcc }

/**
 * Per-file statistics (PROTOCOL.md "Per-file Statistics") for the first `maxLeaves` leaf columns:
 * numRecords, minValues, maxValues, nullCount, keyed by physical names, nested structs nested.
 * min/max only for types where ordering is well defined for readers (numbers, strings, dates,
 * timestamps, decimals); strings truncated as Spark does. Files this library writes take their
 * bounds from the Parquet footer (footer-stats.ts); the per-value pass here runs only for leaves
 * the footer cannot answer exactly.
 */
export class FileStatsCollector {
  private numRecords = 0;
  private readonly root: Node = {};
  private readonly plan: StatsLeaf[];

  constructor(fields: StructField[], physicalName: (f: StructField) => string, maxLeaves: number) {
    this.plan = [];
    const visit = (f: StructField, path: string[], locate: (b: RecordBatch) => Data | undefined): void => {
      if (maxLeaves >= 0 && this.plan.length >= maxLeaves) return;
      const t = f.type;
      if (typeof t !== 'string' && t.type === 'struct') {
        t.fields.forEach((child, ci) => visit(child, [...path, physicalName(child)], (b) => locate(b)?.children[ci]));
      } else if (typeof t === 'string') {
        this.plan.push({ path, field: f, locate });
      }
    };
    fields.forEach((f, i) => visit(f, [physicalName(f)], (b) => b.getChildAt(i)?.data[0]));
  }

  /** The leaves that get statistics, in schema order (the first `maxLeaves`). */
  get leaves(): readonly StatsLeaf[] {
    return this.plan;
  }

  /** Replaces the statistics of leaf `index` (of `leaves`) with ones known otherwise (the Parquet footer). */
  setLeaf(index: number, acc: LeafAcc): void {
    const path = this.plan[index]!.path;
    let node = this.root;
    for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as Node;
    node[path.at(-1)!] = acc;
  }

  /** Adds a batch whose columns are exactly `fields`, in order; only the leaves in `only` when given. */
  add(batch: RecordBatch, only?: ReadonlySet<number>): void {
    this.numRecords += batch.numRows;
    for (const [index, leaf] of this.plan.entries()) {
      if (only && !only.has(index)) continue;
      const data = leaf.locate(batch);
      if (!data) continue;
      const acc = this.leaf(leaf.path);
      acc.nulls += data.nullCount;
      if (!hasOrderedStats(leaf.field.type)) continue;
      if (leaf.field.type === 'string') {
        addStringBounds(acc, data);
        continue;
      }
      const read = comparableReader(data);
      for (let i = 0; i < data.length; i++) {
        const v = read(i);
        if (v === null) continue;
        if (typeof v === 'number' && Number.isNaN(v)) {
          acc.hasNaN = true;
          continue;
        }
        if (acc.min === undefined || v < acc.min) acc.min = v;
        if (acc.max === undefined || v > acc.max) acc.max = v;
      }
    }
  }

  /**
   * The `add.stats` JSON string, numbers exact (spec/reading.md "Statistics"). A float column
   * holding NaN gets no maximum: NaN sorts above every value, and a finite maximum would let
   * readers skip the file for `x > c`.
   */
  toJson(): string {
    const minValues: Record<string, JsonOut> = {};
    const maxValues: Record<string, JsonOut> = {};
    const nullCount: Record<string, JsonOut> = {};
    for (const leaf of this.plan) {
      const acc = this.leaf(leaf.path);
      setPath(nullCount, leaf.path, acc.nulls);
      if (acc.min !== undefined) setPath(minValues, leaf.path, statJson(acc.min, leaf.field.type, false));
      if (acc.max !== undefined && !acc.hasNaN) setPath(maxValues, leaf.path, statJson(acc.max, leaf.field.type, true));
    }
    return stringifyLosslessJson({ numRecords: this.numRecords, minValues, maxValues, nullCount });
  }

  get rows(): number {
    return this.numRecords;
  }

  private leaf(path: string[]): LeafAcc {
    let node = this.root;
    for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as Node;
    return ((node[path.at(-1)!] as LeafAcc | undefined) ??= { nulls: 0 }) as LeafAcc;
  }
}

/**
 * min/max of a string column by comparing UTF-8 bytes (their order is code point order),
 * decoding only the two winners: decoding every value dominated write time.
 */
function addStringBounds(acc: LeafAcc, data: Data): void {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  let min: Uint8Array | undefined;
  let max: Uint8Array | undefined;
  for (let i = 0; i < data.length; i++) {
    if (!data.getValid(i)) continue;
    const v = bytes.subarray(offsets[i]!, offsets[i + 1]!); // offsets are sliced with the array
    if (min === undefined || compareBytes(v, min) < 0) min = v;
    if (max === undefined || compareBytes(v, max) > 0) max = v;
  }
  const decoder = new TextDecoder();
  if (min !== undefined) {
    const m = decoder.decode(min);
    if (acc.min === undefined || compareBytes(utf8Bytes(m), utf8Bytes(acc.min as string)) < 0) acc.min = m;
  }
  if (max !== undefined) {
    const m = decoder.decode(max);
    if (acc.max === undefined || compareBytes(utf8Bytes(m), utf8Bytes(acc.max as string)) > 0) acc.max = m;
  }
}

/** Whether Delta records min/max for the type: not for booleans and binary. */
export function hasOrderedStats(t: DeltaType): boolean {
  return typeof t === 'string' && t !== 'boolean' && t !== 'binary';
}

/** Sets a nested key; an undefined value (a bound with no valid JSON form) is left out. */
function setPath(target: Record<string, JsonOut>, path: string[], value: JsonOut): void {
  if (value === undefined) return;
  let node = target;
  for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as Record<string, JsonOut>;
  node[path.at(-1)!] = value;
}

/**
 * JSON form of a stat, as Spark writes it: longs with all digits, decimals as JSON numbers with
 * `scale` fraction digits (never through a double), floats as Java prints them, dates
 * `YYYY-MM-DD`, timestamps ISO with milliseconds. Undefined when the bound has no faithful
 * form: non-finite floats (JSON has none), dates and timestamps outside years 0001-9999.
 */
function statJson(v: Stat, type: DeltaType, isMax: boolean): JsonOut {
  if (typeof type !== 'string') return undefined;
  switch (type) {
    case 'string': return truncateStringStat(v as string, isMax);
    case 'date': return formatDateStat(Number(v));
    // Truncated to milliseconds, as Spark writes them; readers widen maxima by 999 µs.
    case 'timestamp': return formatTimestampStat(BigInt(v as bigint), false);
    case 'timestamp_ntz': return formatTimestampStat(BigInt(v as bigint), true);
    case 'long': return BigInt(v as bigint);
    case 'float': case 'double':
      return typeof v === 'number' && Number.isFinite(v) ? new JsonNumber(formatFloat(v, type === 'float')) : undefined;
  }
  const dec = decimalParts(type);
  if (dec) return new JsonNumber(formatDecimal(BigInt(v as bigint), dec.scale));
  return v as JsonOut;
}
