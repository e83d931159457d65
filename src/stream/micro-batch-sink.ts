import type { RecordBatch, Schema } from 'apache-arrow';
import type { OptimizeResult } from '../ops/maintain/optimize.js';
import type { WriteResult } from '../ops/write/write.js';

/** What happened to one micro-batch. */
export interface StreamWriteResult extends WriteResult {
  batchId: number;
  /** The auto-compaction that followed this batch's commit, when one committed or found nothing to do. */
  autoCompaction?: OptimizeResult;
}

/**
 * What a buffering front end (MicroBatchWritable) needs of a streaming sink. Kept apart from the
 * sink's class so the sink can build the front end without the two modules importing each other.
 */
export interface MicroBatchSink {
  tableSchema(): Promise<Schema | undefined>;
  lastBatchId(): Promise<number>;
  write(batchId: number, batches: RecordBatch[]): Promise<StreamWriteResult>;
  /** Waits for the checkpoints earlier batches started in the background. */
  flush(): Promise<void>;
}
