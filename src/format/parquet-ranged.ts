import { RecordBatch, tableFromIPC } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm';
import { concatBytes } from './bytes.js';
import { exposeInt96Footer } from './int96.js';
import { int96ToMicroBatches, wasmReadOptions, type ReadParquetOptions } from './parquet.js';
import { parseFooter, rowGroupInfos, type ParquetFooter, type RowGroupInfo } from './parquet-footer.js';

/** Random access to the bytes of one file (a store's getRange). */
export interface ByteSource {
  readonly sizeBytes: number;
  /** Bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
}

/** A whole file already in memory, as a ByteSource. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { sizeBytes: bytes.length, read: async (start, end) => bytes.subarray(start, end) };
}

export interface RangedReadOptions extends ReadParquetOptions {
  /** Picks the row groups to read from the footer's statistics; all when absent. */
  selectRowGroups?: (rowGroups: RowGroupInfo[]) => number[];
}

/** Bytes fetched with the footer: most footers (and the page indexes before them) fit. */
const TAIL_BYTES = 64 * 1024;
/** Row groups fetched and decoded at once: bounds memory to a few row groups of the chosen columns. */
const ROW_GROUPS_IN_FLIGHT = 4;

/**
 * Reads a Parquet file by ranges, never whole:
 *
 *   read(tail) -> footer -> plan (columns, row groups) -> per row group: read(column chunk)... -> decode
 *
 * One request fetches the last 64 KiB (the footer, usually the page indexes too); parquet-wasm's
 * async reader then asks for exactly the column chunks of the projected columns in the selected
 * row groups, a few row groups at a time, and yields their batches in file order.
 */
export async function* readParquetRanged(source: ByteSource, opts: RangedReadOptions = {}): AsyncGenerator<RecordBatch> {
  const { footer, tailStart, tail } = await fetchFooter(source);
  // INT96: present parquet-wasm a footer that types those columns as 12-byte binaries; the data
  // offsets stay valid because only the bytes after footerStart change.
  const int96 = exposeInt96Footer(footer.metadata);
  const virtualTail = int96
    ? concatBytes([tail.subarray(0, footer.footerStart - tailStart), int96.tail])
    : tail;
  const blob = virtualBlob(source, tailStart, virtualTail);
  const rowGroups = opts.selectRowGroups?.(rowGroupInfos(footer.metadata));
  if (rowGroups && rowGroups.length === 0) return;
  const file = await ParquetFile.fromFile(blob as unknown as Blob);
  try {
    const schema = tableFromIPC(file.schema().intoIPCStream()).schema;
    const options = { ...wasmReadOptions(schema, { ...opts, ...(rowGroups ? { rowGroups } : {}) }), concurrency: ROW_GROUPS_IN_FLIGHT };
    const stream = (await file.stream(options)) as ReadableStream<{ intoIPCStream(): Uint8Array }>;
    for await (const wasmBatch of stream as unknown as AsyncIterable<{ intoIPCStream(): Uint8Array }>) {
      const batches = tableFromIPC(wasmBatch.intoIPCStream()).batches;
      yield* int96 ? int96ToMicroBatches(batches, int96.columns) : batches;
    }
  } finally {
    file.free();
  }
}

async function fetchFooter(source: ByteSource): Promise<{ footer: ParquetFooter; tailStart: number; tail: Uint8Array }> {
  const size = source.sizeBytes;
  let tailStart = Math.max(0, size - TAIL_BYTES);
  let tail = await source.read(tailStart, size);
  let parsed = parseFooter(tail, size);
  if ('missingBytes' in parsed) {
    const more = await source.read(tailStart - parsed.missingBytes, tailStart);
    tailStart -= parsed.missingBytes;
    tail = concatBytes([more, tail]);
    parsed = parseFooter(tail, size);
    if ('missingBytes' in parsed) throw new RangeError('Parquet footer longer than announced');
  }
  return { footer: parsed, tailStart, tail };
}

/**
 * The Blob-like object parquet-wasm's file reader uses (it calls only `size`,
 * `slice(start, end)` and `arrayBuffer()`): the file's bytes up to the footer come from the
 * source, the rest from the fetched (possibly rewritten) tail.
 */
function virtualBlob(source: ByteSource, tailStart: number, tail: Uint8Array) {
  const size = tailStart + tail.length;
  const bytes = async (start: number, end: number): Promise<Uint8Array> => {
    if (start >= tailStart) return tail.subarray(start - tailStart, end - tailStart);
    if (end <= tailStart) return source.read(start, end);
    return concatBytes([await source.read(start, tailStart), tail.subarray(0, end - tailStart)]);
  };
  return {
    size,
    slice(start = 0, end = size) {
      const s = Math.max(0, Math.min(start, size));
      const e = Math.max(s, Math.min(end, size));
      return {
        arrayBuffer: async (): Promise<ArrayBuffer> => {
          const b = await bytes(s, e);
          // A view (Node Buffers often are one, into a shared pool) must be copied out.
          return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer as ArrayBuffer : new Uint8Array(b).buffer;
        },
      };
    },
  };
}
