import type { RecordBatch } from 'apache-arrow';
import { DeltaError, invalidArgument, isDeltaError, unsupportedFeature } from '../../errors.js';
import { appendOnly } from '../../protocol/table-config.js';
import type { DeltaType, StructType } from '../../protocol/schema.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import type { ObjectStore } from '../../storage/object-store.js';
import type { BoundTerm } from '../read/filter.js';
import { pruneFiles } from '../read/scan.js';
import { conformBatch } from './schema-enforcement.js';

/*
 * Checks a write makes before it writes any data file: a refused write leaves nothing behind.
 */

/**
 * Refuses to create a table in a folder that already holds files of something else: VACUUM
 * would later delete every file the log does not reference. What counts is what VACUUM would
 * consider: files outside `_delta_log`, except hidden ones (a segment starting with `.` or `_`,
 * such as `.DS_Store` or `_SUCCESS`) and data files this library names itself (in-flight files
 * of a writer creating the same table concurrently, or orphans of an earlier failed write).
 */
export async function checkNewTableLocation(store: ObjectStore): Promise<void> {
  for await (const meta of store.list('')) {
    if (isIgnorable(meta.path)) continue;
    throw invalidArgument(
      `${store.rootUri} is not empty and holds no Delta table: it contains ${meta.path}`,
      'choose an empty folder (or a new one) for the table, or move the other files away first; a table there would let VACUUM delete them',
    );
  }
}

// part-00000-<write uuid>-<8 hex>.c000[.codec].parquet, as DataFileWriter names its files.
const OWN_DATA_FILE = /^(part|cdc)-\d{5}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}\.c000(\.[a-z0-9]+)?\.parquet$/;

function isIgnorable(path: string): boolean {
  const segments = path.split('/');
  if (segments[0] === '_delta_log') return true;
  const name = segments[segments.length - 1]!;
  const dirs = segments.slice(0, -1);
  if (OWN_DATA_FILE.test(name) && dirs.every((d, i) => d.includes('=') || (i === 0 && d === '_change_data'))) return true;
  return segments.some((s, i) => (s.startsWith('.') || s.startsWith('_')) && !(i === 0 && s === '_change_data'));
}

/**
 * Refuses table layouts that would lose data: column names equal but for case at any level
 * (Delta names are case-insensitive: one column would be dropped), partitioning by every column
 * (data files with no columns: the rows could not be read back), repeated or nested partition
 * columns.
 */
export function checkTableLayout(schema: StructType, partitionColumns: readonly string[], where = 'the data'): void {
  checkColumnNames(schema, where);
  const lower = partitionColumns.map((c) => c.toLowerCase());
  const repeated = lower.find((c, i) => lower.indexOf(c) !== i);
  if (repeated !== undefined) {
    throw invalidArgument(`partition column "${repeated}" is listed more than once in [${partitionColumns.join(', ')}]`, 'list each partition column once');
  }
  if (schema.fields.length > 0 && schema.fields.every((f) => lower.includes(f.name.toLowerCase()))) {
    throw invalidArgument(
      `cannot partition by every column ([${partitionColumns.join(', ')}]): the data files would hold no column, and no row could be read back`,
      'leave at least one column out of partitionBy',
    );
  }
  for (const f of schema.fields) {
    if (lower.includes(f.name.toLowerCase()) && typeof f.type !== 'string') {
      throw invalidArgument(`partition column "${f.name}" is a ${f.type.type}; only primitive columns can partition a table`, `partition by a primitive column, or drop "${f.name}" from partitionBy`);
    }
  }
}

/** Refuses column names that are equal but for case, at the top level or nested (Delta names are case-insensitive). */
export function checkColumnNames(schema: StructType, where = 'the data'): void {
  checkCaseDuplicates(schema, where, '');
}

function checkCaseDuplicates(struct: StructType, where: string, prefix: string): void {
  const seen = new Map<string, string>();
  for (const f of struct.fields) {
    const key = f.name.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) {
      throw invalidArgument(
        `${where} has columns "${prefix}${other}" and "${prefix}${f.name}": Delta column names are case-insensitive, so one of them would be lost`,
        `rename or drop one of "${prefix}${other}" and "${prefix}${f.name}"`,
      );
    }
    seen.set(key, f.name);
    visitNested(f.type, `${prefix}${f.name}.`, where);
  }
}

function visitNested(type: DeltaType, prefix: string, where: string): void {
  if (typeof type === 'string') return;
  if (type.type === 'struct') checkCaseDuplicates(type, where, prefix);
  else if (type.type === 'array') visitNested(type.elementType, `${prefix}element.`, where);
  else if (type.type === 'map') {
    visitNested(type.keyType, `${prefix}key.`, where);
    visitNested(type.valueType, `${prefix}value.`, where);
  }
}

/**
 * An append-only table (delta.appendOnly=true) refuses an overwrite that could remove files,
 * checked before any data file is written: every file for a plain overwrite, the files the
 * predicate may touch (after pruning) for a predicate overwrite.
 */
export function checkAppendOnly(snapshot: Snapshot | undefined, mode: string, predicate: BoundTerm[][] | undefined, configuration: Readonly<Record<string, string>>): void {
  if (!snapshot || mode !== 'overwrite' || !appendOnly(configuration)) return;
  const touched = predicate ? pruneFiles(snapshot, predicate).length : snapshot.fileCount;
  if (touched === 0) return;
  throw unsupportedFeature(
    `the table is append-only (delta.appendOnly=true): this overwrite would remove ${predicate ? 'up to ' : ''}${touched} file(s)`,
    "append instead (mode: 'append'), or set delta.appendOnly=false on the table first",
  );
}

/**
 * conformBatch for a write: refuses case-duplicate column names in the batch (one would be
 * dropped) and, with schemaMode 'merge', words type mismatches for a caller that already merges.
 */
export function conformForWrite(batch: RecordBatch, schema: StructType, schemaMode: string | undefined): RecordBatch {
  const names = new Map<string, string>();
  for (const f of batch.schema.fields) {
    const other = names.get(f.name.toLowerCase());
    if (other !== undefined) {
      throw invalidArgument(`the data has columns "${other}" and "${f.name}": Delta column names are case-insensitive, so one of them would be lost`, `rename or drop one of "${other}" and "${f.name}"`);
    }
    names.set(f.name.toLowerCase(), f.name);
  }
  try {
    return conformBatch(batch, schema);
  } catch (err) {
    if (schemaMode !== 'merge' || !isDeltaError(err, 'SCHEMA_MISMATCH') || !err.hint?.includes("schemaMode: 'merge'")) throw err;
    const column = /^column "([^"]*)"/.exec(err.message)?.[1] ?? '';
    throw new DeltaError('SCHEMA_MISMATCH', err.message, {
      hint: `schemaMode 'merge' adds columns but cannot change a column's type: cast "${column}" to the table's type, or replace the schema with { mode: 'overwrite', schemaMode: 'overwrite' }`,
      cause: err,
    });
  }
}
