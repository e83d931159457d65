import { Int64, makeData, RecordBatch, Struct, Table, TimestampMicrosecond, Utf8, type Data, type Schema } from 'apache-arrow';
import { isDeltaError } from '../errors.js';
import type { Version } from '../protocol/actions.js';
import { commitPath } from '../protocol/log-paths.js';
import { changeSchema, readChangeRange } from '../ops/read/changes.js';
import { constantData } from '../ops/read/constant-column.js';
import { planReadColumns, readDataFile, type ReadColumns } from '../ops/read/read-data-file.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { StreamOffset } from './offset.js';
import type { PlannedRange } from './progress-log.js';
import type { PlannedFiles } from './source-planner.js';

/** One micro-batch: the rows of the files after `startOffset` up to and including `endOffset`. */
export interface StreamBatch {
  batchId: number;
  startOffset: StreamOffset;
  endOffset: StreamOffset;
  data: Table;
  /** Data files read (0 for a change-feed batch). */
  numFiles: number;
  /** The table versions the rows come from. */
  firstVersion: Version;
  lastVersion: Version;
}

/** Turns planned files or versions into an Arrow table with the stream's schema. */
export class BatchReader {
  private readonly cols: ReadColumns;
  private readonly schema: Schema;

  constructor(private readonly snapshot: Snapshot, private readonly changeFeed: boolean) {
    this.cols = planReadColumns(snapshot, [...snapshot.schema.fields]);
    this.schema = changeFeed ? changeSchema(snapshot) : this.cols.schema;
  }

  async batch(range: PlannedRange, planned: PlannedFiles): Promise<StreamBatch> {
    const versions = planned.versions ?? { first: range.endOffset.reservoirVersion, last: range.endOffset.reservoirVersion };
    const batches: RecordBatch[] = [];
    if (this.changeFeed && !planned.initialSnapshot) {
      if (planned.versions) for (const b of (await readChangeRange(this.snapshot, versions.first, versions.last)).batches) batches.push(b);
    } else {
      const ts = this.changeFeed && planned.initialSnapshot ? await snapshotTimestampMs(planned.initialSnapshot) : 0;
      for (const f of planned.files) {
        for await (const b of readDataFile(this.snapshot, f, this.cols)) batches.push(this.changeFeed ? this.asInserts(b, versions.first, ts) : b);
      }
    }
    return {
      batchId: range.batchId,
      startOffset: range.startOffset,
      endOffset: range.endOffset,
      data: batches.length > 0 ? new Table(batches) : new Table(this.schema),
      numFiles: planned.files.length,
      firstVersion: versions.first,
      lastVersion: versions.last,
    };
  }

  /** Initial-snapshot rows of a change-feed stream: every row is an insert at the snapshot's version. */
  private asInserts(b: RecordBatch, version: Version, timestampMs: number): RecordBatch {
    const n = b.numRows;
    const children: Data[] = this.cols.fields.map((_, i) => b.getChildAt(i)!.data[0]!);
    children.push(constantData(new Utf8(), 'insert', n));
    children.push(constantData(new Int64(), BigInt(version), n));
    children.push(constantData(new TimestampMicrosecond('UTC'), BigInt(Math.round(timestampMs)) * 1000n, n));
    return new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: n, nullCount: 0, children }));
  }
}

async function snapshotTimestampMs(snapshot: Snapshot): Promise<number> {
  const ict = snapshot.latestCommitInfo?.inCommitTimestamp;
  if (typeof ict === 'number') return ict;
  try {
    return (await snapshot.store.head(commitPath(snapshot.version)))?.lastModifiedMs ?? 0;
  } catch (err) {
    if (isDeltaError(err)) return 0;
    throw err;
  }
}

