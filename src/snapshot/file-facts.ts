import type { FileStats } from '../protocol/stats.js';

/** A comparable scalar: number, bigint (longs, micros, unscaled decimals), string or boolean. */
export type Comparable = number | bigint | string | boolean;

/** What file skipping and conflict detection know about one data file. */
export interface FileFacts {
  /** Typed partition value of a partition column; undefined for data columns. */
  partitionValue(column: string): Comparable | null | undefined;
  stats(): FileStats | undefined;
  /** Key of a top-level column in the stats (its physical name). */
  statsKey(column: string): string;
}
