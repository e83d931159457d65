import { Table, type RecordBatch, type Schema } from 'apache-arrow';
import type { Protocol, Version } from './protocol/actions.js';
import { parseStats } from './protocol/stats.js';
import { readChanges, type ChangesOptions } from './ops/read/changes.js';
import { writeCheckpoint } from './ops/write/checkpoint.js';
import { doctorTable, type DoctorReport } from './ops/maintain/doctor.js';
import { readHistory, type HistoryEntry } from './ops/read/history.js';
import { optimizeTable, type OptimizeOptions, type OptimizeResult } from './ops/maintain/optimize.js';
import { restoreTable, type RestoreTarget } from './ops/maintain/restore.js';
import { vacuumTable, type VacuumOptions, type VacuumResult } from './ops/maintain/vacuum.js';
import { createTable, type CreateOptions } from './ops/write/create.js';
import { scanSchema, scanSnapshot, type ScanOptions } from './ops/read/scan.js';
import { loadSnapshot, type Snapshot } from './snapshot/snapshot.js';
import { latestTableState } from './snapshot/latest-state.js';
import { resolveTimestamp } from './snapshot/time-travel.js';
import { storeForUri, type StorageOptions } from './storage/store-for-url.js';
import { DeltaStreamReader, type ReadStreamOptions } from './stream/stream-reader.js';
import { DeltaStreamWriter, type WriteStreamOptions } from './stream/stream-writer.js';
import { checkHandleIsLatest } from './ops/write/stale-handle.js';
import { deleteRows, type DeleteResult } from './ops/dml/delete.js';
import type { RowPredicateInput } from './ops/read/row-predicate.js';
import { updateRows, type UpdateOptions, type UpdateResult } from './ops/dml/update.js';
import { MergeBuilder } from './ops/dml/merge/merge-builder.js';
import type { MergeOptions } from './ops/dml/merge/merge-execute.js';
import type { WriteInput } from './ops/write/write.js';
import {
  validateChangesOptions, validateCreateOptions, validateHistoryOptions, validateOpenOptions, validateRestoreTarget,
  validateScanOptions, validateVacuumOptions,
} from './ops/write/validate-options.js';

export interface CreateTableOptions extends CreateOptions {
  storage?: StorageOptions;
}

export interface OpenOptions {
  /** Open this version instead of the latest. */
  version?: number;
  /** Open the latest version committed at or before this time. */
  timestamp?: Date | string;
  storage?: StorageOptions;
}

/** An active data file as users see it. */
export interface DataFileInfo {
  /** Relative to the table root, URI-decoded; a file outside the root (a shallow clone's) is its absolute `file:///...` or `s3://...` location. */
  path: string;
  size: number;
  partitionValues: Record<string, string | null>;
  modificationTime: number;
  numRecords?: number;
}

export interface TableMetadataInfo {
  id: string;
  name?: string;
  description?: string;
  configuration: Record<string, string>;
  createdTime?: number;
}

/** A Delta table at one version. Immutable: open the table again to see newer versions. */
export class DeltaTable {
  private constructor(
    readonly uri: string,
    /** The snapshot behind this object; for advanced use. */
    readonly snapshot: Snapshot,
    private readonly storage: StorageOptions,
  ) {}

  /** Creates an empty table (version 0) with this schema; fails if a table already exists there. */
  static async create(uri: string, opts: CreateTableOptions): Promise<DeltaTable> {
    validateCreateOptions(opts);
    const store = await storeForUri(uri, opts.storage ?? {});
    const version = await createTable(store, opts);
    return new DeltaTable(uri, await loadSnapshot(store, { version, tombstones: false }), opts.storage ?? {});
  }

  /** Opens the table at `uri`, at its latest version unless `version` or `timestamp` is given. */
  static async open(uri: string, opts: OpenOptions = {}): Promise<DeltaTable> {
    validateOpenOptions(opts);
    const store = await storeForUri(uri, opts.storage ?? {});
    let snapshot: Snapshot;
    if (opts.timestamp !== undefined) {
      // The latest table state says whether commits carry in-commit timestamps (the per-process
      // cache answers it with one stat when this process has seen the table).
      const latest = await latestTableState(store);
      const { version, listing } = await resolveTimestamp(store, opts.timestamp, latest.configuration);
      snapshot = await loadSnapshot(store, { version, listing, tombstones: false });
    } else {
      // Without tombstones: only vacuum reads them, and it loads them itself (see vacuumTable).
      snapshot = await loadSnapshot(store, opts.version === undefined ? { tombstones: false } : { version: opts.version, tombstones: false });
    }
    return new DeltaTable(uri, snapshot, opts.storage ?? {});
  }

  /**
   * The table as a stream of micro-batches (Delta Spark's streaming source): the current snapshot
   * first unless a starting point is given, then every new commit's appended rows.
   */
  static readStream(uri: string, opts: ReadStreamOptions = {}): DeltaStreamReader {
    return new DeltaStreamReader(uri, opts);
  }

  /** An exactly-once streaming sink: `write(batchId, data)` commits each batch id once per appId. */
  static writeStream(uri: string, opts: WriteStreamOptions): DeltaStreamWriter {
    return new DeltaStreamWriter(uri, opts);
  }

  get version(): Version {
    return this.snapshot.version;
  }

  /** Logical columns, partition columns included, as Arrow types. */
  get schema(): Schema {
    return this.snapshot.arrowSchema;
  }

  get partitionColumns(): string[] {
    return [...this.snapshot.partitionColumns];
  }

  get metadata(): TableMetadataInfo {
    const m = this.snapshot.metadata;
    return {
      id: m.id,
      ...(m.name !== undefined ? { name: m.name } : {}),
      ...(m.description !== undefined ? { description: m.description } : {}),
      configuration: { ...m.configuration },
      ...(m.createdTime !== undefined ? { createdTime: m.createdTime } : {}),
    };
  }

  get protocol(): Protocol {
    return structuredClone(this.snapshot.protocol);
  }

  /** The active data files of this version. */
  async files(): Promise<DataFileInfo[]> {
    return this.snapshot.files.map(({ path, add }) => {
      const numRecords = parseStats(add.stats)?.numRecords;
      return {
        path,
        size: add.size,
        partitionValues: { ...add.partitionValues },
        modificationTime: add.modificationTime,
        ...(numRecords !== undefined ? { numRecords } : {}),
      };
    });
  }

  /** Rows as a stream of Arrow record batches. */
  scan(opts: ScanOptions = {}): AsyncIterable<RecordBatch> {
    validateScanOptions(opts);
    return scanSnapshot(this.snapshot, opts);
  }

  /** Rows as one Arrow table. */
  async toArrow(opts: ScanOptions = {}): Promise<Table> {
    validateScanOptions(opts);
    const batches: RecordBatch[] = [];
    for await (const b of this.scan(opts)) batches.push(b);
    if (batches.length === 0) return new Table(scanSchema(this.snapshot, opts.columns));
    return new Table(batches);
  }

  /** Commits up to this version, newest first (version, timestamp, operation, ...commitInfo). */
  async history(opts: { limit?: number } = {}): Promise<HistoryEntry[]> {
    validateHistoryOptions(opts);
    return readHistory(this.snapshot, opts);
  }

  /** Writes a checkpoint of this version. */
  async checkpoint(): Promise<{ version: number }> {
    const r = await writeCheckpoint(this.snapshot.store, { version: this.version });
    return { version: r.version };
  }

  /** Commits the difference that makes the data equal an earlier version (operation RESTORE). */
  async restore(target: RestoreTarget): Promise<{ version: number }> {
    validateRestoreTarget(target);
    await checkHandleIsLatest(this.snapshot, 'restore');
    return restoreTable(this.snapshot, target);
  }

  /**
   * Compacts small files (bin-packing per partition) or, with `zOrderBy`, sorts each partition's
   * rows along a Z-order curve; one dataChange=false commit (operation OPTIMIZE), none when there
   * is nothing to do. Concurrent blind appends never conflict with it.
   */
  async optimize(opts: OptimizeOptions = {}): Promise<OptimizeResult> {
    return optimizeTable(this.snapshot, opts);
  }

  /** Deletes data files no version inside the retention window needs. Dry run by default. */
  async vacuum(opts: VacuumOptions = {}): Promise<VacuumResult> {
    validateVacuumOptions(opts);
    return vacuumTable(this.snapshot, opts);
  }

  /** Checks the log and that every active file exists with its recorded size; `repair` removes missing ones. */
  async doctor(opts: { repair?: boolean } = {}): Promise<DoctorReport> {
    return doctorTable(this.snapshot, opts);
  }

  /** Change Data Feed rows between two versions (inclusive), with _change_type, _commit_version, _commit_timestamp. */
  async changes(opts: ChangesOptions): Promise<Table> {
    validateChangesOptions(opts);
    return readChanges(this.snapshot, opts);
  }

  /**
   * Deletes the rows matching `predicate` (a Filter or an SQL boolean expression; every row when
   * omitted) from the table's latest version, by deletion vectors when the table writes them, else
   * by rewriting the touched files. Nothing is committed when no row matches.
   */
  async delete(predicate?: RowPredicateInput): Promise<DeleteResult> {
    return deleteRows(await loadSnapshot(this.snapshot.store), predicate);
  }

  /**
   * Sets columns of the rows matching `predicate` (every row when omitted) in the table's latest
   * version. `set` values are SQL expressions (`'qty + 1'`, `"'done'"`) or plain JS literals.
   */
  async update(opts: UpdateOptions): Promise<UpdateResult> {
    return updateRows(await loadSnapshot(this.snapshot.store), opts);
  }

  /**
   * MERGE `source` (Arrow data) into the table's latest version: add when... clauses to the
   * returned builder, then `execute()`. A target row matched by several source rows is an error.
   */
  merge(source: WriteInput, opts: MergeOptions): MergeBuilder {
    const store = this.snapshot.store;
    return new MergeBuilder(() => loadSnapshot(store), source, opts);
  }

  /** Latest `txn` version recorded for an application id (idempotent writes, streaming sinks). */
  appTransactionVersion(appId: string): number | undefined {
    return this.snapshot.txns.get(appId)?.version;
  }

  /** Storage options this table was opened with (for operations that reopen it). */
  get storageOptions(): StorageOptions {
    return { ...this.storage };
  }
}
