import { Writable } from 'node:stream';
import type { RecordBatch, Schema } from 'apache-arrow';
import { isRecordBatchLike, isTableLike, normalizeBatch, type RecordBatchLike } from '../format/arrow-input.js';
import { invalidArgument } from '../errors.js';
import { batchBytes, estimateRowBytes, rowsToBatch } from '../format/rows-to-batch.js';
import type { MicroBatchSink, StreamWriteResult } from './micro-batch-sink.js';

export interface MicroBatchWritableOptions {
  /** Commit once this many rows are buffered. @defaultValue 10_000 */
  maxRows?: number;
  /** Commit once the buffer holds about this many bytes. @defaultValue 16 MiB */
  maxBytes?: number;
  /** Commit buffered rows at the latest this long after the first of them arrived. @defaultValue 1000 */
  maxDelayMs?: number;
  /** Schema for plain row objects; default: the table's (or the first RecordBatch's). */
  schema?: Schema;
}

/**
 * A Writable (object mode) over a streaming sink, for `pipeline()`: accepts row objects,
 * RecordBatches or Tables, groups them into micro-batches, and commits each with the next batch
 * id. Numbering resumes from the table's txn version for the appId, so a restarted producer
 * continues where the table is. Emits 'batch' with each StreamWriteResult.
 */
export class MicroBatchWritable extends Writable {
  private rows: Record<string, unknown>[] = [];
  private batches: RecordBatch[] = [];
  private bufferedRows = 0;
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private nextBatchId: number | undefined;
  private schema: Schema | undefined;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private readonly maxDelayMs: number;

  constructor(private readonly sink: MicroBatchSink, opts: MicroBatchWritableOptions) {
    super({ objectMode: true, highWaterMark: 64 });
    this.maxRows = opts.maxRows ?? 10_000;
    this.maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
    this.maxDelayMs = opts.maxDelayMs ?? 1000;
    this.schema = opts.schema;
  }

  override _write(chunk: unknown, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    try {
      this.buffer(chunk);
    } catch (err) {
      done(err as Error);
      return;
    }
    if (this.bufferedRows >= this.maxRows || this.bufferedBytes >= this.maxBytes) {
      this.enqueueFlush().then(() => done(), done);
      return;
    }
    this.timer ??= setTimeout(() => {
      this.enqueueFlush().catch((err: Error) => this.destroy(err));
    }, this.maxDelayMs);
    done();
  }

  override _final(done: (err?: Error | null) => void): void {
    // The last batch, then the checkpoints still being written: a finished pipeline leaves nothing running.
    this.enqueueFlush().then(() => this.sink.flush()).then(() => done(), done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    clearTimeout(this.timer);
    done(err);
  }

  private buffer(chunk: unknown): void {
    // By shape: Arrow objects of another apache-arrow copy are not instances of this one's classes.
    if (isRecordBatchLike(chunk)) this.addBatch(chunk);
    else if (isTableLike(chunk)) for (const b of chunk.batches) this.addBatch(b);
    else if (chunk !== null && typeof chunk === 'object' && !Array.isArray(chunk)) {
      const row = chunk as Record<string, unknown>;
      this.rows.push(row);
      this.bufferedRows++;
      this.bufferedBytes += estimateRowBytes(row);
    } else {
      throw invalidArgument(`a stream sink takes row objects, RecordBatches or Tables, got ${Array.isArray(chunk) ? 'an array' : typeof chunk}`, 'write one row object (column name -> value) per chunk, or Arrow RecordBatches or Tables');
    }
  }

  private addBatch(chunk: RecordBatchLike): void {
    const b = normalizeBatch(chunk);
    this.schema ??= b.schema;
    this.batches.push(b);
    this.bufferedRows += b.numRows;
    this.bufferedBytes += batchBytes(b);
  }

  /** Flushes run one after another, so batch ids are assigned in order. */
  private enqueueFlush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.rows;
    const batches = this.batches;
    this.rows = [];
    this.batches = [];
    this.bufferedRows = 0;
    this.bufferedBytes = 0;
    this.chain = this.chain.then(() => this.commit(rows, batches));
    return this.chain;
  }

  private async commit(rows: Record<string, unknown>[], batches: RecordBatch[]): Promise<void> {
    if (rows.length === 0 && batches.length === 0) return;
    if (rows.length > 0) {
      this.schema ??= await this.sink.tableSchema();
      if (!this.schema) throw invalidArgument('plain rows need a schema before the table exists', 'pass { schema } to writable(), or write a RecordBatch first');
      batches = [...batches, rowsToBatch(rows, this.schema)];
    }
    this.nextBatchId ??= (await this.sink.lastBatchId()) + 1;
    const result: StreamWriteResult = await this.sink.write(this.nextBatchId, batches);
    this.nextBatchId++;
    this.emit('batch', result);
  }
}
