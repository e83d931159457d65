import { DataType, Field, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, TimeUnit, type Data } from 'apache-arrow';
import { corruptData, isDeltaError } from '../errors.js';
import { exposeInt96, int96LeavesToMicros } from './int96.js';
import { callWasm, parquetWasm } from './parquet-wasm-instance.js';
import { batchesFromWasm, schemaFromWasm } from './wasm-arrow-bridge.js';

export interface ReadParquetOptions {
  /** Top-level column names to read; names absent from the file are ignored. */
  columns?: string[];
  rowGroups?: number[];
  batchSize?: number;
}

/** Arrow schema of a Parquet file. */
export function readParquetSchema(bytes: Uint8Array): Schema {
  return asCorruptParquet(() => callWasm((w) => schemaFromWasm(w, w.readSchema(bytes))));
}

/** Decodes Parquet bytes into Arrow record batches (parquet-wasm, through the C Data Interface). */
export function readParquetBytes(bytes: Uint8Array, opts: ReadParquetOptions = {}): RecordBatch[] {
  const schema = readParquetSchema(bytes);
  return asCorruptParquet(() => {
    // INT96 shows up as nanosecond timestamps; only then is the footer worth decoding.
    const int96 = hasNanosecondTimestamps(schema) ? exposeInt96(bytes) : undefined;
    const batches = callWasm((w) => batchesFromWasm(w, w.readParquet(int96?.bytes ?? bytes, wasmReadOptions(schema, opts))));
    return int96 ? int96ToMicroBatches(batches, int96.leaves) : batches;
  });
}

/**
 * Runs a decode; a failure that is not already a DeltaError (parquet-wasm's errors, a trap,
 * a malformed footer) becomes CORRUPT_DATA. Callers that know the file's path re-word it.
 */
export function asCorruptParquet<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw corruptParquet(err);
  }
}

/** `err` as CORRUPT_DATA about an unnamed Parquet file, unless it already is a DeltaError. */
export function corruptParquet(err: unknown): unknown {
  if (isDeltaError(err)) return err;
  return corruptData('Parquet file', `cannot be decoded: ${err instanceof Error ? err.message : String(err)}`, err);
}

/** parquet-wasm reader options for `opts` against a file of this schema. */
export function wasmReadOptions(schema: Schema, opts: ReadParquetOptions): { columns?: string[]; rowGroups?: number[]; batchSize?: number } {
  const options: { columns?: string[]; rowGroups?: number[]; batchSize?: number } = {};
  if (opts.columns) {
    const present = new Set(schema.fields.map((f) => f.name));
    const wanted = opts.columns.filter((c) => present.has(c));
    // parquet-wasm reads every column for an empty list; one column still gives the row count,
    // and callers null-fill the columns the file lacks.
    options.columns = wanted.length > 0 ? wanted : [...present].slice(0, 1);
  }
  if (opts.rowGroups) options.rowGroups = opts.rowGroups;
  if (opts.batchSize) options.batchSize = opts.batchSize;
  return options;
}

/** True when parquet-wasm may have read INT96 columns (they surface as nanosecond timestamps). */
export function hasNanosecondTimestamps(schema: Schema): boolean {
  return schema.fields.some((f) => DataType.isTimestamp(f.type) && f.type.unit === TimeUnit.NANOSECOND);
}

/**
 * Batches read from a footer rewritten by exposeInt96: the FixedSizeBinary(12) leaves at the
 * given depth-first leaf indexes, top-level or nested, as microsecond timestamps.
 */
export function int96ToMicroBatches(batches: RecordBatch[], leaves: ReadonlySet<number>): RecordBatch[] {
  return batches.map((b) => {
    const whole: Data = makeData({ type: new Struct(b.schema.fields), length: b.numRows, nullCount: 0, children: b.data.children });
    const converted = int96LeavesToMicros(whole, leaves);
    const type = converted.type as Struct;
    const fixed = new Schema(type.children.map((f, i) => (f.type === b.schema.fields[i]!.type ? b.schema.fields[i]! : new Field(f.name, f.type, f.nullable, b.schema.fields[i]!.metadata))), b.schema.metadata);
    return new RecordBatch(fixed, makeData({ type: new Struct(fixed.fields), length: b.numRows, nullCount: 0, children: converted.children }));
  });
}

export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'lz4' | 'uncompressed';

function codecs(w: ReturnType<typeof parquetWasm>): Record<ParquetCompression, number> {
  return {
    snappy: w.Compression.SNAPPY,
    zstd: w.Compression.ZSTD,
    gzip: w.Compression.GZIP,
    lz4: w.Compression.LZ4_RAW,
    uncompressed: w.Compression.UNCOMPRESSED,
  };
}

/** Encodes record batches (one schema) as a Parquet file. @defaultValue compression 'snappy' */
export function writeParquetBytes(batches: RecordBatch[] | Table, opts: { compression?: ParquetCompression; rowGroupSize?: number } = {}): Uint8Array {
  const table = batches instanceof Table ? batches : new Table(batches);
  const ipc = tableToIPC(table, 'stream');
  return callWasm((w) => {
    const wasmTable = w.Table.fromIPCStream(ipc);
    // Statistics on every column, said explicitly: add.stats are read from this footer (ops/write/footer-stats.ts).
    let props = new w.WriterPropertiesBuilder().setCompression(codecs(w)[opts.compression ?? 'snappy']).setStatisticsEnabled(w.EnabledStatistics.Page);
    if (opts.rowGroupSize) props = props.setMaxRowGroupSize(opts.rowGroupSize);
    return w.writeParquet(wasmTable, props.build());
  });
}
