import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { invalidArgument } from '../../errors.js';
import { filterRows } from '../../format/arrow-take.js';
import { findField, type StructField } from '../../protocol/schema.js';
import { physicalName } from '../../protocol/column-mapping.js';
import { parseStats, type FileStats } from '../../protocol/stats.js';
import type { ActiveFile, Snapshot } from '../../snapshot/snapshot.js';
import { comparableReader } from './comparable-values.js';
import { fileMayMatch } from './file-skipping.js';
import { bindFilter, filterColumns, termMatches, type BoundTerm, type Comparable, type Filter } from './filter.js';
import { planReadColumns, readDataFile } from './read-data-file.js';
import { partitionValueIn, partitionValueReader } from './row-group-skipping.js';

export interface ScanOptions {
  /** Columns to return, in this order. @defaultValue every column of the table */
  columns?: string[];
  /** Rows to return (DNF). Skipping files is an optimisation; the result is exactly the matching rows. */
  filter?: Filter;
}

/** The files a filter may match, after partition pruning and min/max skipping. */
export function pruneFiles(snapshot: Snapshot, filter: BoundTerm[][] | undefined): ActiveFile[] {
  if (!filter) return [...snapshot.files];
  const statsKey = (column: string): string => physicalName(findField(snapshot.schema, column)!, snapshot.columnMapping);
  // Partition terms first, on the partition values alone (no stats: data terms keep the file),
  // so a file list not yet built is built only for the partitions the filter can touch.
  const onPartitions = filter.some((group) => group.some((term) => isPartitionColumn(snapshot, term.column)));
  const candidates = onPartitions
    ? snapshot.filesWhere((values) => fileMayMatch(filter, { partitionValue: partitionValueIn(snapshot, values), stats: () => undefined, statsKey }))
    : snapshot.files;
  return candidates.filter((file) => {
    let stats: FileStats | undefined | null = null;
    return fileMayMatch(filter, {
      partitionValue: partitionValueReader(snapshot, file),
      stats: () => (stats === null ? (stats = parseStats(file.add.stats)) : stats),
      statsKey,
    });
  });
}

function isPartitionColumn(snapshot: Snapshot, column: string): boolean {
  return snapshot.partitionColumns.some((c) => c.toLowerCase() === column.toLowerCase());
}

/** Reads the table's rows as Arrow batches: projection, file skipping, exact row filtering. */
export async function* scanSnapshot(snapshot: Snapshot, opts: ScanOptions = {}): AsyncGenerator<RecordBatch> {
  const outputFields = resolveColumns(snapshot, opts.columns);
  const bound = bindFilter(opts.filter, snapshot.schema);
  const needed = new Set([...outputFields.map((f) => f.name), ...filterColumns(bound)]);
  const readFields = snapshot.schema.fields.filter((f) => needed.has(f.name));
  const read = planReadColumns(snapshot, readFields);
  const outputSchema = new Schema(outputFields.map((f) => read.schema.fields[readFields.indexOf(f)]!));
  const outputIdx = outputFields.map((f) => readFields.indexOf(f));
  for (const file of pruneFiles(snapshot, bound)) {
    for await (let batch of readDataFile(snapshot, file, read, undefined, bound)) {
      if (bound) {
        batch = filterRows(batch, rowMask(batch, bound, readFields));
        if (batch.numRows === 0) continue;
      }
      const children = outputIdx.map((i) => batch.getChildAt(i)!.data[0]!);
      yield new RecordBatch(outputSchema, makeData({ type: new Struct(outputSchema.fields), length: batch.numRows, nullCount: 0, children }));
    }
  }
}

/** The Arrow schema of a scan with these columns. */
export function scanSchema(snapshot: Snapshot, columns?: string[]): Schema {
  return planReadColumns(snapshot, resolveColumns(snapshot, columns)).schema;
}

function resolveColumns(snapshot: Snapshot, columns: string[] | undefined): StructField[] {
  if (columns === undefined) return [...snapshot.schema.fields];
  return columns.map((c) => {
    const f = findField(snapshot.schema, c);
    if (!f) throw invalidArgument(`column "${c}" is not in the table`, `columns are: ${snapshot.schema.fields.map((x) => x.name).join(', ')}`);
    return f;
  });
}

/** 1 for each row of `batch` (whose columns are `fields`) that matches the filter. */
export function rowMask(batch: RecordBatch, groups: BoundTerm[][], fields: StructField[]): Uint8Array {
  const readers = new Map<string, (i: number) => Comparable | null>();
  const terms = groups.flat();
  for (const t of terms) {
    if (readers.has(t.column)) continue;
    const data = batch.getChildAt(fields.findIndex((f) => f.name === t.column))!.data[0]!;
    // IS NULL / IS NOT NULL alone need only validity, so they work on any column (binary, struct...).
    const nullnessOnly = terms.every((x) => x.column !== t.column || x.op === 'is null' || x.op === 'is not null');
    readers.set(t.column, nullnessOnly ? (i) => (data.getValid(i) ? true : null) : comparableReader(data));
  }
  const mask = new Uint8Array(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    mask[i] = groups.some((g) => g.every((t) => termMatches(t, readers.get(t.column)!(i)))) ? 1 : 0;
  }
  return mask;
}
