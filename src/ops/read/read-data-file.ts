import { DataType, makeData, RecordBatch, Schema, Struct, type Data, type Field } from 'apache-arrow';
import { corruptData, fileNotFound, isDeltaError } from '../../errors.js';
import { castData, nullData } from '../../format/arrow-cast.js';
import { filterRows } from '../../format/arrow-take.js';
import type { RowGroupInfo } from '../../format/parquet-footer.js';
import { bytesSource, readParquetRanged, type ByteSource, type RangedReadOptions } from '../../format/parquet-ranged.js';
import { parsePartitionValue } from '../../protocol/partition-values.js';
import { type StructField } from '../../protocol/schema.js';
import { deltaToArrowSchema } from '../../protocol/arrow-schema.js';
import { fieldId, physicalName, toPhysicalSchema } from '../../protocol/column-mapping.js';
import type { ActiveFile, Snapshot } from '../../snapshot/snapshot.js';
import { constantData } from './constant-column.js';
import { loadDeletedRows } from './deletion-vectors.js';
import { dvLocation } from '../../protocol/path-gate.js';
import type { BoundTerm } from './filter.js';
import { retype } from './retype.js';
import { rowGroupsMayMatch } from './row-group-skipping.js';

/** The top-level columns a scan materialises, with their logical and physical Arrow types. */
export interface ReadColumns {
  fields: StructField[];
  /** Logical Arrow schema of the batches readDataFile yields. */
  schema: Schema;
  physicalTypes: DataType[];
  physicalNames: string[];
}

/** Resolves logical fields to what the data files hold (column mapping aware). */
export function planReadColumns(snapshot: Snapshot, fields: StructField[]): ReadColumns {
  const logical = deltaToArrowSchema({ type: 'struct', fields });
  const physical = deltaToArrowSchema(toPhysicalSchema({ type: 'struct', fields }, snapshot.columnMapping));
  return {
    fields,
    schema: logical,
    physicalTypes: physical.fields.map((f) => f.type as DataType),
    physicalNames: fields.map((f) => physicalName(f, snapshot.columnMapping)),
  };
}

/**
 * Reads one data file as logical batches: projects and casts its columns to the table types,
 * fills partition columns from the log, null-fills columns the file lacks, drops DV-deleted rows.
 */
export async function* readDataFile(
  snapshot: Snapshot, file: ActiveFile, cols: ReadColumns,
  /** Keep only rows whose physical index passes; replaces the file's deletion vector (CDF reads). */
  selectRows?: (rowIndex: number) => boolean,
  /** Rows the caller will keep; row groups whose statistics rule them out are not read. */
  filter?: BoundTerm[][],
): AsyncGenerator<RecordBatch> {
  const partitionSet = new Set(snapshot.partitionColumns.map((c) => c.toLowerCase()));
  const isPartition = cols.fields.map((f) => partitionSet.has(f.name.toLowerCase()));
  const dataColumns = cols.physicalNames.filter((_, i) => !isPartition[i]);
  const deleted = file.add.deletionVector && !selectRows ? await deletedRowsOf(snapshot, file) : undefined;
  // Row indexes (deletion vectors, CDF row selection) count from the file's first row, so only a
  // read of every row group keeps them aligned.
  const rowIndexesMatter = selectRows !== undefined || deleted !== undefined;
  const batches = parquetBatches(snapshot, file, {
    ...(dataColumns.length > 0 ? { columns: dataColumns } : {}),
    ...(filter && !rowIndexesMatter ? { selectRowGroups: (rgs: RowGroupInfo[]) => rowGroupsMayMatch(snapshot, file, filter, rgs) } : {}),
  });
  let rowBase = 0;
  let nextDeleted = 0;
  let lookup: ColumnLookup | undefined;
  for await (const batch of batches) {
    const n = batch.numRows;
    if (lookup?.schema !== batch.schema) lookup = columnLookup(batch.schema);
    const children = cols.fields.map((field, i): Data => {
      const type = cols.schema.fields[i]!.type as DataType;
      if (isPartition[i]) return constantData(type, partitionValueOf(file, field, cols.physicalNames[i]!), n);
      const source = findColumn(batch, lookup!, cols.physicalNames[i]!, fieldId(field));
      if (!source) return nullData(type, n);
      return retype(castData(source, cols.physicalTypes[i]!, matchChild), type);
    });
    let out = new RecordBatch(cols.schema, makeData({ type: new Struct(cols.schema.fields), length: n, nullCount: 0, children }));
    if (selectRows) {
      const keep = new Uint8Array(n);
      for (let i = 0; i < n; i++) keep[i] = selectRows(rowBase + i) ? 1 : 0;
      out = filterRows(out, keep);
    } else if (deleted) {
      const keep = new Uint8Array(n).fill(1);
      let dropped = 0;
      while (nextDeleted < deleted.length && deleted[nextDeleted]! < rowBase + n) {
        keep[deleted[nextDeleted]! - rowBase] = 0;
        nextDeleted++;
        dropped++;
      }
      if (dropped > 0) out = filterRows(out, keep);
    }
    rowBase += n;
    if (out.numRows > 0) yield out;
  }
}

/** Files from this size on are read by ranges (footer, then only the needed column chunks). */
export const RANGED_READ_MIN_BYTES = 8 * 1024 * 1024;

/**
 * The file's batches. A small file is one GET (a request costs more than its extra bytes); a
 * large one is read by ranged GETs: the footer, then the chosen columns' chunks a few row groups
 * at a time (bounded memory). Either way only the chosen columns and row groups are decoded.
 */
async function* parquetBatches(snapshot: Snapshot, file: ActiveFile, opts: RangedReadOptions): AsyncGenerator<RecordBatch> {
  // With only partition columns wanted, the file is still read: its row count is the batch length.
  // Large batches: per-batch work (casts, Arrow objects) is then negligible next to decoding.
  const options: RangedReadOptions = { ...opts, batchSize: 65_536 };
  try {
    let source: ByteSource;
    if (file.add.size >= RANGED_READ_MIN_BYTES) {
      source = { sizeBytes: file.add.size, read: (start, end) => snapshot.store.getRange(file.path, start, end) };
    } else {
      source = bytesSource(await snapshot.store.get(file.path));
    }
    yield* readParquetRanged(source, options);
  } catch (err) {
    if (isDeltaError(err, 'FILE_NOT_FOUND')) throw fileNotFound(file.path, err);
    // The format layer does not know the path: every other failure is worded here, naming the file.
    if (!isDeltaError(err) || err.code === 'CORRUPT_DATA') throw corruptData(file.path, describe(err), err);
    throw err;
  }
}

/** The file's deletion vector as sorted row indexes; a damaged DV file is a DeltaError naming it. */
async function deletedRowsOf(snapshot: Snapshot, file: ActiveFile): Promise<Float64Array> {
  // Where the DV lives is the log's word: a path the gate refuses stays CORRUPT_LOG.
  dvLocation(file.add.deletionVector!, snapshot.store.rootUri);
  try {
    return await loadDeletedRows(snapshot.store, file.add.deletionVector!, file.path);
  } catch (err) {
    // A damaged DV file is damaged data of this file (CORRUPT_LOG is for the log's own files).
    if (isDeltaError(err) && err.code !== 'CORRUPT_LOG') throw err;
    throw corruptData(file.path, `its deletion vector cannot be decoded: ${describe(err)}`, err);
  }
}

function describe(err: unknown): string {
  if (isDeltaError(err, 'CORRUPT_DATA')) return err.message.replace(/^Parquet (file|footer): /, '');
  return err instanceof Error ? err.message : String(err);
}

function partitionValueOf(file: ActiveFile, field: StructField, physical: string): unknown {
  const values = file.add.partitionValues;
  const raw = physical in values ? values[physical] : values[field.name];
  return parsePartitionValue(raw ?? null, field.type);
}

/**
 * A file's top-level columns by name and by Parquet field id, built once per batch schema: a
 * search per table column made reads of wide tables quadratic in the number of columns.
 */
interface ColumnLookup {
  schema: Schema;
  byName: Map<string, number>;
  byId: Map<string, number>;
}

function columnLookup(schema: Schema): ColumnLookup {
  const byName = new Map<string, number>();
  const byId = new Map<string, number>();
  schema.fields.forEach((f, i) => {
    if (!byName.has(f.name)) byName.set(f.name, i);
    const id = f.metadata.get('PARQUET:field_id');
    if (id !== undefined && !byId.has(id)) byId.set(id, i);
  });
  return { schema, byName, byId };
}

/** A column of the file by physical name, else by Parquet field id (column mapping 'id' mode). */
function findColumn(batch: RecordBatch, lookup: ColumnLookup, name: string, id: number | undefined): Data | undefined {
  const idx = lookup.byName.get(name) ?? (id === undefined ? undefined : lookup.byId.get(String(id)));
  return idx === undefined ? undefined : batch.getChildAt(idx)?.data[0];
}

/** Nested struct fields: by physical name, else by field id. */
function matchChild(target: Field, sources: readonly Field[]): number {
  const byName = sources.findIndex((s) => s.name === target.name);
  if (byName >= 0) return byName;
  const id = target.metadata.get('delta.columnMapping.id');
  if (id === undefined) return -1;
  const want = String(JSON.parse(id));
  return sources.findIndex((s) => s.metadata.get('PARQUET:field_id') === want);
}
