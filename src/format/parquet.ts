import { RecordBatch, Schema, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
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
  if (opts.columns) {
    const present = new Set(readParquetSchema(bytes).fields.map((f) => f.name));
    const wanted = opts.columns.filter((c) => present.has(c));
    // parquet-wasm reads every column for an empty list; one column still gives the row count,
    // and callers null-fill the columns the file lacks.
    options.columns = wanted.length > 0 ? wanted : [...present].slice(0, 1);
  }
  if (opts.rowGroups) options.rowGroups = opts.rowGroups;
  if (opts.batchSize) options.batchSize = opts.batchSize;
  const table = tableFromIPC(readParquet(bytes, options).intoIPCStream());
  return table.batches;
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
