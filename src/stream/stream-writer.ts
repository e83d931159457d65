import type { Schema } from 'apache-arrow';
import { invalidArgument, isDeltaError } from '../errors.js';
import { writeToStore, type WriteInput } from '../ops/write/write.js';
import type { NewColumnOptions } from '../ops/write/new-columns.js';
import { latestTableState } from '../snapshot/latest-state.js';
import type { TableState } from '../snapshot/table-state.js';
import type { ObjectStore } from '../storage/object-store.js';
import { storeForUri, type StorageOptions } from '../storage/store-for-url.js';
import { validateWriteStreamOptions } from '../ops/write/validate-options.js';
import { AutoCompactor, autoCompactSettings, type AutoCompactOptions } from './auto-compact.js';
import type { StreamWriteResult } from './micro-batch-sink.js';
import { MicroBatchWritable, type MicroBatchWritableOptions } from './micro-batch-writable.js';

export type { AutoCompactOptions, StreamWriteResult };

export interface WriteStreamOptions extends NewColumnOptions {
  /** Names the stream: its last batch id is stored in the table (`txn` action) under this id. */
  appId: string;
  /** 'append' adds each batch; 'complete' replaces the table's rows with each batch. @defaultValue 'append' */
  outputMode?: 'append' | 'complete';
  partitionBy?: string[];
  schemaMode?: 'merge' | 'overwrite';
  /** Properties of the table when the first batch creates it. */
  properties?: Record<string, string>;
  storage?: StorageOptions;
  /**
   * After a batch commits, compact the partitions it wrote to once they hold `minNumFiles` small
   * files (Spark's auto-compaction), as a separate best-effort OPTIMIZE commit. @defaultValue false
   */
  autoCompact?: boolean | AutoCompactOptions;
}

/**
 * Delta Spark's streaming sink: each micro-batch's data and `txn { appId, version: batchId }`
 * land in one commit, so a batch replayed after a crash (a batch id at or below the table's txn
 * version for the appId) is skipped, and two live writers with one appId conflict instead of
 * both writing.
 */
export class DeltaStreamWriter {
  private store: ObjectStore | undefined;
  /** Background checkpoints started by this writer's batches and not yet ended. */
  private readonly maintenance = new Set<Promise<void>>();
  private readonly autoCompact: AutoCompactor | undefined;

  constructor(readonly uri: string, private readonly opts: WriteStreamOptions) {
    if (typeof opts?.appId !== 'string' || opts.appId.length === 0) {
      throw invalidArgument('writeStream needs an appId', 'pass { appId: "<stable name of this stream>" }; keep it across restarts');
    }
    validateWriteStreamOptions(opts);
    const settings = autoCompactSettings(opts.autoCompact);
    this.autoCompact = settings ? new AutoCompactor(settings) : undefined;
  }

  get appId(): string {
    return this.opts.appId;
  }

  /** Writes micro-batch `batchId` exactly once; `skipped` when the table already has it. */
  async write(batchId: number, data: WriteInput): Promise<StreamWriteResult> {
    if (!Number.isSafeInteger(batchId) || batchId < 0) {
      throw invalidArgument(`batchId must be a non-negative integer, got ${String(batchId)}`, 'number micro-batches 0, 1, 2, ... and keep the numbering across restarts (lastBatchId() + 1)');
    }
    const store = await this.openStore();
    const snapshot = await this.snapshotOrUndefined(store);
    const result = await writeToStore(store, snapshot, data, {
      mode: this.opts.outputMode === 'complete' && snapshot ? 'overwrite' : 'append',
      appTransaction: { appId: this.opts.appId, version: batchId },
      ...(this.opts.partitionBy ? { partitionBy: this.opts.partitionBy } : {}),
      ...(this.opts.schemaMode ? { schemaMode: this.opts.schemaMode } : {}),
      ...(this.opts.properties ? { properties: this.opts.properties } : {}),
      ...(this.opts.nullability ? { nullability: this.opts.nullability } : {}),
      ...(this.opts.zonelessTimestamps ? { zonelessTimestamps: this.opts.zonelessTimestamps } : {}),
      // As Spark's sink records it, so history reads the same in every engine.
      operation: {
        name: 'STREAMING UPDATE',
        parameters: { outputMode: this.opts.outputMode === 'complete' ? 'Complete' : 'Append', queryId: this.opts.appId, epochId: String(batchId) },
      },
      // Checkpoints of a local table are written on a worker thread while the next batches commit.
      backgroundMaintenance: (done) => this.track(done),
    });
    // The batch has committed: compaction comes after, in its own commit, and cannot fail the batch.
    const compaction = this.autoCompact && !result.skipped ? await this.autoCompact.after(store, result.version) : undefined;
    return { ...result, batchId, ...(compaction ? { autoCompaction: compaction } : {}) };
  }

  /**
   * Waits for the checkpoints (and log cleanup) that earlier batches started on the worker
   * thread. write() returns once its batch has committed; a checkpoint it was due may still be
   * being written. Nothing needs it for correctness (readers list the log), and a process that
   * ends without calling this still waits for them; call it to know they are on disk.
   */
  async flush(): Promise<void> {
    while (this.maintenance.size > 0) await Promise.all([...this.maintenance]);
  }

  /** The last batch id the table holds for this appId, or -1 when none (the next batch is this + 1). */
  async lastBatchId(): Promise<number> {
    const snapshot = await this.snapshotOrUndefined(await this.openStore());
    return snapshot?.txns.get(this.opts.appId)?.version ?? -1;
  }

  /** The table's schema, or undefined before the first batch created it. */
  async tableSchema(): Promise<Schema | undefined> {
    return (await this.snapshotOrUndefined(await this.openStore()))?.arrowSchema;
  }

  /**
   * A Node Writable (object mode) taking rows, RecordBatches or Tables, grouped into micro-batches
   * by count, bytes or time; batch ids continue from the table after a restart.
   */
  writable(opts: MicroBatchWritableOptions = {}): MicroBatchWritable {
    return new MicroBatchWritable(this, opts);
  }

  private track(done: Promise<void>): void {
    this.maintenance.add(done);
    void done.finally(() => this.maintenance.delete(done));
  }

  private async openStore(): Promise<ObjectStore> {
    this.store ??= await storeForUri(this.uri, this.opts.storage ?? {});
    return this.store;
  }

  private async snapshotOrUndefined(store: ObjectStore): Promise<TableState | undefined> {
    try {
      return await latestTableState(store);
    } catch (err) {
      if (isDeltaError(err, 'TABLE_NOT_FOUND')) return undefined;
      throw err;
    }
  }
}
