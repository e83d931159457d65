import { DataType, makeData, RecordBatch, Schema, Struct, type Data } from 'apache-arrow';
import { DeltaError, invalidArgument } from '../../errors.js';
import { batchBytes } from '../../format/arrow-size.js';
import { takeRows } from '../../format/arrow-take.js';
import { writeParquetBytes } from '../../format/parquet.js';
import { parseFooter } from '../../format/parquet-footer.js';
import type { ThriftStruct } from '../../format/thrift-compact.js';
import type { AddAction } from '../../protocol/actions.js';
import { encodeAddPath, partitionDirectory, serializePartitionValue } from '../../protocol/partition-values.js';
import { type StructField, type StructType } from '../../protocol/schema.js';
import { deltaToArrowSchema } from '../../protocol/arrow-schema.js';
import { physicalName, toPhysicalSchema, type ColumnMappingMode } from '../../protocol/column-mapping.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { comparableReader } from '../read/comparable-values.js';
import { FileStatsCollector } from './file-stats.js';
import { statsFromFooter } from './footer-stats.js';
import { retype } from '../read/retype.js';

export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'lz4' | 'uncompressed';

export interface DataFileWriterOptions {
  /** The table schema (logical); batches given to write() conform to it. */
  schema: StructType;
  partitionColumns: string[];
  columnMapping: ColumnMappingMode;
  /** Roll to a new file once this many bytes of Arrow data are buffered. @defaultValue 128 MiB */
  targetFileSizeBytes?: number;
  /** @defaultValue 'snappy' */
  compression?: ParquetCompression;
  /** Leaf columns with statistics (delta.dataSkippingNumIndexedCols). @defaultValue 32 */
  statsColumns?: number;
  /** Folder under the table root the files go in (partition folders below it). @defaultValue '' */
  directory?: string;
  /** File name prefix: `part` for data files, `cdc` for change data files. @defaultValue 'part' */
  filePrefix?: 'part' | 'cdc';
  now?: () => number;
}

interface Pending {
  values: Record<string, string | null>;
  dir: string;
  batches: RecordBatch[];
  bytes: number;
}

/**
 * Turns conformed batches into Parquet data files: splits rows by partition values into
 * Hive-style folders, buffers each partition up to the target size, writes one uniquely named
 * file per flush, and returns an `add` action (with stats) per file.
 */
export class DataFileWriter {
  private readonly pending = new Map<string, Pending>();
  private readonly adds: AddAction[] = [];
  /** Durability of the files written so far (fsyncs still running while the next file encodes). */
  private readonly syncs: Promise<void>[] = [];
  private readonly dataFields: StructField[];
  private readonly partitionFields: StructField[];
  private readonly physicalSchema: Schema;
  private readonly target: number;
  private fileCounter = 0;
  private bufferedBytes = 0;
  private readonly writeId = crypto.randomUUID();

  constructor(private readonly store: ObjectStore, private readonly opts: DataFileWriterOptions) {
    const parts = new Set(opts.partitionColumns.map((c) => c.toLowerCase()));
    this.dataFields = opts.schema.fields.filter((f) => !parts.has(f.name.toLowerCase()));
    this.partitionFields = opts.partitionColumns.map((c) => {
      const f = opts.schema.fields.find((x) => x.name.toLowerCase() === c.toLowerCase());
      if (!f) throw invalidArgument(`partition column "${c}" is not in the schema`);
      return f;
    });
    this.physicalSchema = deltaToArrowSchema(toPhysicalSchema({ type: 'struct', fields: this.dataFields }, opts.columnMapping));
    this.target = opts.targetFileSizeBytes ?? 128 * 1024 * 1024;
  }

  /** Buffers a batch conformed to the table schema; writes files as buffers fill up. */
  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    for (const [key, group] of this.splitByPartition(batch)) {
      const p = this.pending.get(key) ?? { ...group.meta, batches: [], bytes: 0 };
      this.pending.set(key, p);
      const data = this.dataColumns(group.batch);
      const size = batchBytes(data);
      p.batches.push(data);
      p.bytes += size;
      this.bufferedBytes += size;
      if (p.bytes >= this.target) await this.flush(key);
    }
    // Bound memory across partitions: flush the largest buffers first.
    while (this.bufferedBytes > 2 * this.target && this.pending.size > 0) {
      const largest = [...this.pending.entries()].sort((a, b) => b[1].bytes - a[1].bytes)[0]!;
      await this.flush(largest[0]);
    }
  }

  /** Writes what is still buffered and returns an add action per data file written, every file durable. */
  async finish(): Promise<AddAction[]> {
    const { adds, durable } = await this.finishWritten();
    await durable;
    return adds;
  }

  /**
   * As finish, but returns once the files are written, with a promise of their durability: a
   * commit that waits for it while writing its own file (putIfAbsentAfter) pays one fsync wait
   * instead of two. Nothing may reference the files before `durable` resolves.
   */
  async finishWritten(): Promise<{ adds: AddAction[]; durable: Promise<void> }> {
    for (const key of [...this.pending.keys()]) await this.flush(key);
    const durable = Promise.all(this.syncs).then(() => undefined);
    durable.catch(() => undefined); // observed by the caller; a failed write never goes unhandled
    return { adds: this.adds, durable };
  }

  private async flush(key: string): Promise<void> {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    this.bufferedBytes -= p.bytes;
    const physical = p.batches.map((b) => this.toPhysical(b));
    const compression = this.opts.compression ?? 'snappy';
    const bytes = encodeParquet(physical, compression);
    const codec = compression === 'uncompressed' ? '' : `.${compression}`;
    const name = `${this.opts.filePrefix ?? 'part'}-${String(this.fileCounter++).padStart(5, '0')}-${this.writeId}-${crypto.randomUUID().slice(0, 8)}.c000${codec}.parquet`;
    const relative = (this.opts.directory ?? '') + p.dir + name;
    if (this.store.putUnique) this.syncs.push((await this.store.putUnique(relative, bytes)).durable);
    else await this.store.put(relative, bytes);
    const collector = new FileStatsCollector(this.dataFields, (f) => physicalName(f, this.opts.columnMapping), this.opts.statsColumns ?? 32);
    const stats = statsFromFooter(collector, footerOf(bytes), p.batches);
    this.adds.push({
      path: encodeAddPath(relative),
      partitionValues: p.values,
      size: bytes.length,
      modificationTime: (this.opts.now ?? Date.now)(),
      dataChange: true,
      stats,
    });
  }

  private splitByPartition(batch: RecordBatch): Map<string, { meta: Omit<Pending, 'batches' | 'bytes'>; batch: RecordBatch }> {
    const out = new Map<string, { meta: Omit<Pending, 'batches' | 'bytes'>; batch: RecordBatch }>();
    if (this.partitionFields.length === 0) {
      out.set('', { meta: { values: {}, dir: '' }, batch });
      return out;
    }
    const readers = this.partitionFields.map((f) => partitionReader(batch.getChildAt(batch.schema.fields.findIndex((x) => x.name === f.name))!.data[0]!));
    const groups = new Map<string, { values: Array<string | null>; rows: number[] }>();
    for (let i = 0; i < batch.numRows; i++) {
      const values = this.partitionFields.map((f, c) => {
        const v = readers[c]!(i);
        return v === null ? null : serializePartitionValue(v as never, f.type);
      });
      const key = JSON.stringify(values);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { values, rows: [] }));
      g.rows.push(i);
    }
    for (const [key, g] of groups) {
      const names = this.partitionFields.map((f) => physicalName(f, this.opts.columnMapping));
      const values = Object.fromEntries(names.map((n, c) => [n, g.values[c]!]));
      const dir = partitionDirectory(names, g.values);
      const rows = g.rows.length === batch.numRows ? batch : takeRows(batch, Int32Array.from(g.rows));
      out.set(key, { meta: { values, dir }, batch: rows });
    }
    return out;
  }

  /** Drops partition columns: their values live in the log (PROTOCOL.md "Partition Value Serialization"). */
  private dataColumns(batch: RecordBatch): RecordBatch {
    const idx = this.dataFields.map((f) => batch.schema.fields.findIndex((x) => x.name === f.name));
    const schema = new Schema(idx.map((i) => batch.schema.fields[i]!));
    const children = idx.map((i) => batch.getChildAt(i)!.data[0]!);
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
  }

  private toPhysical(batch: RecordBatch): RecordBatch {
    if (this.opts.columnMapping === 'none') return batch;
    const children = this.physicalSchema.fields.map((f, i) => retype(batch.getChildAt(i)!.data[0]!, f.type as DataType));
    return new RecordBatch(this.physicalSchema, makeData({ type: new Struct(this.physicalSchema.fields), length: batch.numRows, nullCount: 0, children }));
  }
}

/** Reads partition values in the form serializePartitionValue takes (bytes for binary). */
function partitionReader(data: Data): (row: number) => unknown {
  if (!DataType.isBinary(data.type)) return comparableReader(data);
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  return (i) => (data.getValid(i) ? bytes.slice(offsets[i]!, offsets[i + 1]!) : null); // offsets are sliced with the array
}

/** The decoded footer of a file the encoder just produced (whole file in memory). */
function footerOf(bytes: Uint8Array): ThriftStruct {
  const footer = parseFooter(bytes, bytes.length);
  if ('missingBytes' in footer) throw new RangeError('the Parquet encoder produced a file without a whole footer');
  return footer.metadata;
}

/** Parquet bytes of the batches; the encoder's own failures (wasm, Arrow IPC) become DeltaErrors. */
function encodeParquet(batches: RecordBatch[], compression: ParquetCompression): Uint8Array {
  try {
    return writeParquetBytes(batches, { compression });
  } catch (err) {
    if (err instanceof DeltaError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    // parquet-wasm receives batches as Arrow IPC, whose flatbuffers reader stops at 64 levels.
    const tooDeep = /DepthLimitReached/.test(detail);
    throw new DeltaError('INVALID_ARGUMENT', `the data cannot be encoded as Parquet: ${detail}`, {
      hint: tooDeep
        ? 'the schema nests types deeper than the Parquet encoder accepts (about 60 levels): flatten the deepest structs'
        : 'check the data against the table schema; nothing was committed',
      cause: err,
    });
  }
}
