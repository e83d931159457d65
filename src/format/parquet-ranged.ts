import type { RecordBatch } from 'apache-arrow';
import { concatBytes } from './bytes.js';
import { corruptParquet, int96ToMicroBatches, type ReadParquetOptions } from './parquet.js';
import { parseFooter, rowGroupInfos, type ParquetFooter, type RowGroupInfo } from './parquet-footer.js';
import { planRowGroup, projectFooter, rowGroupsOf, type RowGroupPlan } from './parquet-row-group-file.js';
import { callWasm } from './parquet-wasm-instance.js';
import { batchesFromWasm } from './wasm-arrow-bridge.js';

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
  /** Decodes only the first `limit` rows of each row group read (the decoder stops there). */
  limit?: number;
}

/** Bytes fetched with the footer: most footers (and the page indexes before them) fit. */
const TAIL_BYTES = 64 * 1024;
/** Row groups fetched ahead of the one being decoded: bounds memory to a few row groups of the chosen columns. */
const ROW_GROUPS_IN_FLIGHT = 4;

/**
 * Reads a Parquet file by ranges, never whole:
 *
 *   read(tail) -> footer -> plan (columns, row groups) -> per row group: read(column chunks) -> decode
 *
 * One request fetches the last 64 KiB (the footer, usually the page indexes too); then, a few
 * row groups ahead, the column chunks of the projected columns of each selected row group.
 * Each row group is decoded on its own by parquet-wasm's synchronous reader, from a small file
 * holding just those chunks (see parquet-row-group-file.ts): a synchronous call is the only
 * kind in which a wasm trap on a corrupt page reaches the caller (see parquet-wasm-instance.ts).
 * Batches come in file order. Any failure to decode is CORRUPT_DATA; the source's own errors
 * (FILE_NOT_FOUND, STORAGE_FAILURE) pass through.
 */
export async function* readParquetRanged(source: ByteSource, opts: RangedReadOptions = {}): AsyncGenerator<RecordBatch> {
  const { footer } = await fetchFooter(source);
  const plan = decodeStep(() => {
    const all = rowGroupsOf(footer.metadata);
    const chosen = opts.selectRowGroups?.(rowGroupInfos(footer.metadata)) ?? all.map((_, i) => i);
    const projected = projectFooter(footer.metadata, opts.columns);
    return { projected, rowGroups: chosen.map((i) => planRowGroup(projected, all[i]!, footer.footerStart)) };
  });
  // Fetches run ahead of decoding; a rejected fetch is reported when its turn comes (the
  // no-op catch keeps it from being an unhandled rejection if the reader stops early).
  const fetches: Array<Promise<Uint8Array[]>> = [];
  const fetchNext = (): void => {
    const rg = plan.rowGroups[fetches.length];
    if (!rg) return;
    const p = Promise.all(rg.ranges.map(([start, end]) => source.read(start, end)));
    p.catch(() => undefined);
    fetches.push(p);
  };
  for (let i = 0; i < ROW_GROUPS_IN_FLIGHT; i++) fetchNext();
  for (let i = 0; i < plan.rowGroups.length; i++) {
    const fetched = await fetches[i]!;
    fetchNext();
    yield* decodeRowGroup(plan.rowGroups[i]!, fetched, plan.projected.int96Leaves, opts);
  }
}

/** Assembled files up to this size are built in one reused buffer (see scratch). */
const SCRATCH_MAX_BYTES = 64 * 1024 * 1024;
let scratchBuffer = new Uint8Array(0);

/**
 * A buffer of `size` bytes for an assembled row-group file, reused from one decode to the next:
 * the file only lives until parquet-wasm has copied it into wasm memory, within the same
 * synchronous step, so no two decodes can share it at once. A fresh buffer of tens of MB costs
 * more in page faults than the copy into it (a tenth of a 1M-row scan, measured); the reused
 * one is already mapped. Larger files get a buffer of their own, so at most 64 MiB stay held.
 */
function scratch(size: number): Uint8Array {
  if (size > SCRATCH_MAX_BYTES) return new Uint8Array(size);
  if (scratchBuffer.length < size) scratchBuffer = new Uint8Array(Math.min(SCRATCH_MAX_BYTES, Math.max(size, 2 * scratchBuffer.length)));
  return scratchBuffer.subarray(0, size);
}

function decodeRowGroup(rg: RowGroupPlan, fetched: Uint8Array[], int96: ReadonlySet<number> | undefined, opts: RangedReadOptions): RecordBatch[] {
  return decodeStep(() => {
    const file = rg.assemble(fetched, scratch);
    const options = { ...(opts.batchSize ? { batchSize: opts.batchSize } : {}), ...(opts.limit !== undefined ? { limit: opts.limit } : {}) };
    const batches = callWasm((w) => batchesFromWasm(w, w.readParquet(file, options)));
    return int96 ? int96ToMicroBatches(batches, int96) : batches;
  });
}

/** Runs a synchronous decoding step; whatever fails in it is CORRUPT_DATA. */
function decodeStep<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw corruptParquet(err);
  }
}

async function fetchFooter(source: ByteSource): Promise<{ footer: ParquetFooter; tailStart: number; tail: Uint8Array }> {
  const size = source.sizeBytes;
  let tailStart = Math.max(0, size - TAIL_BYTES);
  let tail = await source.read(tailStart, size);
  let parsed = decodeStep(() => parseFooter(tail, size));
  if ('missingBytes' in parsed) {
    const more = await source.read(tailStart - parsed.missingBytes, tailStart);
    tailStart -= parsed.missingBytes;
    tail = concatBytes([more, tail]);
    parsed = decodeStep(() => parseFooter(tail, size));
    if ('missingBytes' in parsed) throw corruptParquet(new Error('the footer is longer than announced'));
  }
  return { footer: parsed, tailStart, tail };
}
