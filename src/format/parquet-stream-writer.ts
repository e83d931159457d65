import type { RecordBatch } from 'apache-arrow';
import { batchToIPCStream } from './arrow-ipc.js';
import { concatBytes } from './bytes.js';
import { parquetWasm } from './parquet-wasm-instance.js';

/** Rows per row group of a streamed file: bounds the writer's buffer and lets readers read piecewise. */
const DEFAULT_ROW_GROUP_ROWS = 65_536;

/**
 * Encodes record batches (one schema) as one Parquet file while they are produced: each batch is
 * handed to parquet-wasm as soon as it arrives and row groups are flushed as they fill, so only a
 * row group's worth of rows is buffered (plus the compressed output, which is returned whole).
 */
export async function writeParquetStream(
  batches: AsyncIterable<RecordBatch>, opts: { rowGroupRows?: number } = {},
): Promise<Uint8Array> {
  // One instance for the whole file: its objects cannot cross to a newer instance.
  const { Table: WasmTable, transformParquetStream, WriterPropertiesBuilder, Compression } = parquetWasm();
  // parquet-wasm's transform takes a failing input stream for one that ended: it closes the file
  // and returns it, holding only the rows read before the failure. So the source's end is
  // tracked here and a file whose source did not run to its end is never returned.
  const source: { done: boolean; failure?: { error: unknown } } = { done: false };
  async function* wasmBatches() {
    try {
      for await (const batch of batches) {
        if (batch.numRows === 0) continue;
        // Arrow IPC is how a JS batch crosses into wasm memory; the JS batch is garbage afterwards.
        const wasm = WasmTable.fromIPCStream(batchToIPCStream(batch));
        const out = wasm.recordBatch(0);
        wasm.free();
        if (out) yield out;
      }
      source.done = true;
    } catch (error) {
      source.failure = { error };
      throw error;
    }
  }
  // No dictionaries: checkpoint columns are mostly null or unique (paths, stats), and measured on
  // 65k add rows the plain file was smaller (2.51 vs 2.79 MB), encoded 1.3-4x faster, and read
  // back as fast (bench/README.md).
  const props = new WriterPropertiesBuilder()
    .setCompression(Compression.SNAPPY)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS)
    .build();
  const encoded = await transformParquetStream(ReadableStream.from(wasmBatches()), props);
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of encoded as ReadableStream<Uint8Array>) chunks.push(chunk);
  } catch (err) {
    throw source.failure ? source.failure.error : err;
  }
  if (source.failure) throw source.failure.error;
  if (!source.done) throw new Error('the Parquet encoder stopped before the last batch: the file would lack rows');
  return concatBytes(chunks);
}
