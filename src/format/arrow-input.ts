import { makeData, RecordBatch, Schema, Struct, type DataType } from 'apache-arrow';
import { notArrowData } from '../errors.js';
import { normalizeData } from './arrow-input-data.js';
import { normalizeField, type DataLike, type FieldLike } from './arrow-input-types.js';

/*
 * The one door for data handed to a write (writeDeltaTable, the streaming sink): whatever copy of
 * apache-arrow made it and whatever Arrow types it holds, what comes out are RecordBatches of this
 * copy whose columns have the Arrow types of Delta types (API.md "Types"): dictionaries decoded,
 * large/fixed/view variants narrowed, Float16 -> Float32, Date64 -> Date32, timestamps in
 * microseconds (zoned ones in UTC), unsigned ints widened, FixedSizeList -> List, recursively.
 */

/** An apache-arrow Schema of any copy of the library. */
export interface SchemaLike {
  readonly fields: readonly FieldLike[];
  readonly metadata?: ReadonlyMap<string, string> | null;
}
/** An apache-arrow RecordBatch of any copy of the library. */
export interface RecordBatchLike {
  readonly schema: SchemaLike;
  readonly data: DataLike;
  readonly numRows: number;
}
/** An apache-arrow Table of any copy of the library. */
export interface TableLike {
  readonly schema: SchemaLike;
  readonly batches: readonly RecordBatchLike[];
}

/** Is `x` an apache-arrow RecordBatch (of any copy of the library)? */
export function isRecordBatchLike(x: unknown): x is RecordBatchLike {
  if (!isObject(x) || !isSchemaLike(x.schema) || typeof x.numRows !== 'number') return false;
  const data = x.data;
  return isObject(data) && typeof data.length === 'number' && Array.isArray(data.children);
}

/** Is `x` an apache-arrow Table (of any copy of the library)? */
export function isTableLike(x: unknown): x is TableLike {
  return isObject(x) && isSchemaLike(x.schema) && Array.isArray(x.batches);
}

/**
 * The record batches of a write's `data` (Table, RecordBatch, or an (async) iterable of them),
 * converted by `normalizeBatch`. Anything else is INVALID_ARGUMENT pointing at tableFromJSON.
 */
export async function* inputBatches(data: unknown): AsyncGenerator<RecordBatch> {
  if (isTableLike(data)) {
    for (const b of data.batches) yield normalizeBatch(b);
    return;
  }
  if (isRecordBatchLike(data)) {
    yield normalizeBatch(data);
    return;
  }
  refuseNonIterable(data);
  let index = 0;
  if (Symbol.asyncIterator in data) {
    for await (const item of data as AsyncIterable<unknown>) yield* itemBatches(item, index++);
  } else {
    for (const item of data as Iterable<unknown>) yield* itemBatches(item, index++);
  }
}

/** The schema on this copy of apache-arrow, every field's type converted as `normalizeBatch` converts columns. */
export function normalizeSchema(schema: SchemaLike): Schema {
  return new Schema(schema.fields.map((f) => normalizeField(f, f.name)), new Map(schema.metadata ?? []));
}

/** The batch on this copy of apache-arrow, every column converted to its Delta-representable type. */
export function normalizeBatch(batch: RecordBatchLike): RecordBatch {
  const schema = normalizeSchema(batch.schema);
  const fields = schema.fields;
  // A sliced batch's children are sliced with it, so child i holds exactly the batch's rows.
  const children = batch.data.children.map((c, i) => normalizeData(c, fields[i]!.type as DataType, fields[i]!.name));
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length: batch.data.length, nullCount: 0, children }));
}

function* itemBatches(item: unknown, index: number): Generator<RecordBatch> {
  if (isRecordBatchLike(item)) {
    yield normalizeBatch(item);
  } else if (isTableLike(item)) {
    for (const b of item.batches) yield normalizeBatch(b);
  } else if (isObject(item) && !isVectorLike(item) && index === 0) {
    throw notArrowData('plain JavaScript objects (rows), not Arrow record batches');
  } else {
    throw notArrowData(`an iterable whose item ${index} is ${describe(item)}, not a RecordBatch`);
  }
}

function refuseNonIterable(data: unknown): asserts data is object {
  if (!isObject(data) && typeof data !== 'function') throw notArrowData(describe(data));
  if (typeof (data as { then?: unknown }).then === 'function') {
    throw notArrowData('a Promise', 'await the promise and pass the Table or RecordBatches it resolves to');
  }
  if (isVectorLike(data)) throw notArrowData('an Arrow Vector (a single column)', 'wrap it in a table with a column name: new Table({ name: vector })');
  if (!(Symbol.asyncIterator in data) && !(Symbol.iterator in data)) throw notArrowData(describe(data));
}

function isVectorLike(x: unknown): boolean {
  return isObject(x) && Array.isArray(x.data) && isObject(x.type) && typeof x.type['typeId'] === 'number';
}

function isSchemaLike(x: unknown): boolean {
  return isObject(x) && Array.isArray(x.fields);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') {
    const name = (x as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== 'Object' ? `a ${name} object` : 'a plain object';
  }
  return `a ${typeof x}`;
}
