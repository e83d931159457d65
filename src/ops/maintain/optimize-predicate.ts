import { makeData, RecordBatch, Struct } from 'apache-arrow';
import { invalidArgument } from '../../errors.js';
import { deltaToArrowSchema } from '../../protocol/arrow-schema.js';
import { physicalName } from '../../protocol/column-mapping.js';
import { parsePartitionValue } from '../../protocol/partition-values.js';
import type { StructField } from '../../protocol/schema.js';
import type { ActiveFile, Snapshot } from '../../snapshot/snapshot.js';
import { constantData } from '../read/constant-column.js';
import type { BoundTerm, Filter } from '../read/filter.js';
import { bindRowPredicate } from '../read/row-predicate.js';
import { partitionKeyOf } from './optimize-partition.js';

/** OPTIMIZE's predicate bound to a table: which partitions it selects. */
export interface PartitionSelection {
  /** The predicate as commitInfo records it (SQL text). */
  text: string;
  /** Terms for pruning files before the exact test (a superset of the matching files). */
  pruning: BoundTerm[][] | undefined;
  /** True when the file's partition satisfies the predicate (SQL: TRUE, not NULL). */
  matches(file: ActiveFile): boolean;
}

/**
 * Binds OPTIMIZE's predicate, a DNF Filter or an SQL boolean string (parsed and typed as
 * DELETE's), and refuses one that names a data column: Spark's rule, since compacting part of a
 * partition's rows would split files by their contents rather than by partition.
 * A file matches when its partition values, as a one-row batch, make the predicate TRUE; the
 * result is cached per partition, so the cost is one evaluation per partition, not per file.
 */
export function bindPartitionPredicate(snapshot: Snapshot, input: Filter | string | undefined): PartitionSelection | undefined {
  if (input === undefined) return undefined;
  const bound = bindRowPredicate(input, snapshot.schema);
  if (!bound) return undefined;
  const partitions = new Map(snapshot.partitionColumns.map((c) => [c.toLowerCase(), c]));
  for (const column of bound.columns) {
    if (!partitions.has(column.toLowerCase())) {
      throw invalidArgument(
        `the optimize predicate names "${column}", which is not a partition column`,
        snapshot.partitionColumns.length === 0
          ? 'the table is not partitioned: optimize it without a predicate'
          : `restrict the predicate to the partition columns: ${snapshot.partitionColumns.join(', ')}`,
      );
    }
  }
  const wanted = new Set(bound.columns.map((c) => c.toLowerCase()));
  const fields: StructField[] = snapshot.schema.fields.filter((f) => wanted.has(f.name.toLowerCase()));
  // A predicate without columns (e.g. "1 = 1") still needs a batch of one row to evaluate on.
  const evalFields = fields.length > 0 ? fields : snapshot.schema.fields.filter((f) => partitions.has(f.name.toLowerCase())).slice(0, 1);
  const arrowSchema = deltaToArrowSchema({ type: 'struct', fields: evalFields });
  const cache = new Map<string, boolean>();
  const matches = (file: ActiveFile): boolean => {
    const key = partitionKeyOf(file.add.partitionValues);
    let hit = cache.get(key);
    if (hit === undefined) {
      const children = evalFields.map((field, i) => {
        const physical = physicalName(field, snapshot.columnMapping);
        const values = file.add.partitionValues;
        const raw = physical in values ? values[physical] : values[field.name];
        return constantData(arrowSchema.fields[i]!.type, parsePartitionValue(raw ?? null, field.type), 1);
      });
      const batch = new RecordBatch(arrowSchema, makeData({ type: new Struct(arrowSchema.fields), length: 1, nullCount: 0, children }));
      hit = bound.mask(batch, evalFields)[0] === 1;
      cache.set(key, hit);
    }
    return hit;
  };
  return { text: bound.text, pruning: bound.pruning, matches };
}
