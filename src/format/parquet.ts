import { DataType, Field, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, TimestampMicrosecond, TimeUnit } from 'apache-arrow';
import { exposeInt96, int96ToMicros } from './int96.js';
import { Compression, readParquet, readSchema, Table as WasmTable, writeParquet, WriterPropertiesBuilder } from 'parquet-wasm';

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
  const options: { columns?: string[]; rowGroups?: number[]; batchSize?: number } = {};
  const schema = readParquetSchema(bytes);
  if (opts.columns) {
    const present = new Set(schema.fields.map((f) => f.name));
    const wanted = opts.columns.filter((c) => present.has(c));
    // parquet-wasm reads every column for an empty list; one column still gives the row count,
    // and callers null-fill the columns the file lacks.
    options.columns = wanted.length > 0 ? wanted : [...present].slice(0, 1);
  }
  if (opts.rowGroups) options.rowGroups = opts.rowGroups;
  if (opts.batchSize) options.batchSize = opts.batchSize;
  // INT96 shows up as nanosecond timestamps; only then is the footer worth decoding.
  const int96 = schema.fields.some((f) => DataType.isTimestamp(f.type) && f.type.unit === TimeUnit.NANOSECOND) ? exposeInt96(bytes) : undefined;
  const table = tableFromIPC(readParquet(int96?.bytes ?? bytes, options).intoIPCStream());
  if (!int96) return table.batches;
  const fields = table.schema.fields.map((f) => (int96.columns.has(f.name) ? new Field(f.name, new TimestampMicrosecond(), f.nullable, f.metadata) : f));
  const fixed = new Schema(fields, table.schema.metadata);
  return table.batches.map((b) => {
    const children = table.schema.fields.map((f, i) => (int96.columns.has(f.name) ? int96ToMicros(b.getChildAt(i)!.data[0]!) : b.getChildAt(i)!.data[0]!));
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
  let props = new WriterPropertiesBuilder().setCompression(CODECS[opts.compression ?? 'snappy']);
  if (opts.rowGroupSize) props = props.setMaxRowGroupSize(opts.rowGroupSize);
  return writeParquet(wasmTable, props.build());
}
