import { DataType, Field, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, TimestampMicrosecond, TimeUnit } from 'apache-arrow';
import { exposeInt96, int96ToMicros } from './int96.js';
import { Compression, EnabledStatistics, readParquet, readSchema, Table as WasmTable, writeParquet, WriterPropertiesBuilder } from 'parquet-wasm';

export interface ReadParquetOptions {
  /** Top-level column names to read; names absent from the file are ignored. */
  columns?: string[];
  rowGroups?: number[];
  batchSize?: number;
}

/** Arrow schema of a Parquet file. */
export function readParquetSchema(bytes: Uint8Array): Schema {
  return tableFromIPC(readSchema(bytes).intoIPCStream()).schema;
}

/** Decodes Parquet bytes into Arrow record batches (parquet-wasm, through Arrow IPC). */
export function readParquetBytes(bytes: Uint8Array, opts: ReadParquetOptions = {}): RecordBatch[] {
  const schema = readParquetSchema(bytes);
  // INT96 shows up as nanosecond timestamps; only then is the footer worth decoding.
  const int96 = hasNanosecondTimestamps(schema) ? exposeInt96(bytes) : undefined;
  const table = tableFromIPC(readParquet(int96?.bytes ?? bytes, wasmReadOptions(schema, opts)).intoIPCStream());
  return int96 ? int96ToMicroBatches(table.batches, int96.columns) : table.batches;
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

/** Batches read from a footer rewritten by exposeInt96: its FixedSizeBinary(12) columns as micros. */
export function int96ToMicroBatches(batches: RecordBatch[], columns: Set<string>): RecordBatch[] {
  return batches.map((b) => {
    const fields = b.schema.fields.map((f) => (columns.has(f.name) ? new Field(f.name, new TimestampMicrosecond(), f.nullable, f.metadata) : f));
    const fixed = new Schema(fields, b.schema.metadata);
    const children = b.schema.fields.map((f, i) => (columns.has(f.name) ? int96ToMicros(b.getChildAt(i)!.data[0]!) : b.getChildAt(i)!.data[0]!));
    return new RecordBatch(fixed, makeData({ type: new Struct(fixed.fields), length: b.numRows, nullCount: 0, children }));
  });
}

export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'lz4' | 'uncompressed';

const CODECS: Record<ParquetCompression, Compression> = {
  snappy: Compression.SNAPPY,
  zstd: Compression.ZSTD,
  gzip: Compression.GZIP,
  lz4: Compression.LZ4_RAW,
  uncompressed: Compression.UNCOMPRESSED,
};

/** Encodes record batches (one schema) as a Parquet file. @defaultValue compression 'snappy' */
export function writeParquetBytes(batches: RecordBatch[] | Table, opts: { compression?: ParquetCompression; rowGroupSize?: number } = {}): Uint8Array {
  const table = batches instanceof Table ? batches : new Table(batches);
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  // Statistics on every column, said explicitly: add.stats are read from this footer (ops/footer-stats.ts).
  let props = new WriterPropertiesBuilder().setCompression(CODECS[opts.compression ?? 'snappy']).setStatisticsEnabled(EnabledStatistics.Page);
  if (opts.rowGroupSize) props = props.setMaxRowGroupSize(opts.rowGroupSize);
  return writeParquet(wasmTable, props.build());
}
