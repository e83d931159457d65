import type { RecordBatch, Table } from 'apache-arrow';
import { invalidArgument, isDeltaError } from '../../errors.js';
import type { Action, AddAction, RemoveAction, Version } from '../../protocol/actions.js';
import { checkWriteSupport } from '../../protocol/features.js';
import { changeDataFeedEnabled, dataSkippingNumIndexedCols } from '../../protocol/table-config.js';
import { type StructType } from '../../protocol/schema.js';
import { inputBatches } from '../../format/arrow-input.js';
import { loadSnapshot, Snapshot, type TableState } from '../../snapshot/snapshot.js';
import { latestTableState, rememberCommit } from '../../snapshot/latest-state.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { storeForUri, type StorageOptions } from '../../storage/store-for-url.js';
import { afterCommit } from './after-commit.js';
import { DataFileWriter, type ParquetCompression } from './data-file-writer.js';
import { bindFilter, type BoundTerm, type Filter } from '../read/filter.js';
import { rowMask } from '../read/scan.js';
import { footprintFor } from './footprint.js';
import { rewriteForPredicate } from './predicate-overwrite.js';
import { ChangeDataWriter } from './change-data-writer.js';
import { conformBatch } from './schema-enforcement.js';
import { newColumnsSchema, type NewColumnOptions } from './new-columns.js';
import { commitWrite } from './create-race.js';
import { validateWriteOptions } from './validate-options.js';
import { checkAppendOnly, checkColumnNames, checkNewTableLocation, checkTableLayout, conformForWrite } from './write-checks.js';
import { validateTableProperties } from '../../protocol/table-properties.js';
import { planTable } from './table-plan.js';

export type WriteMode = 'error' | 'append' | 'overwrite' | 'ignore';

export interface WriteOptions extends NewColumnOptions {
  /** What to do when the table exists. @defaultValue 'error' */
  mode?: WriteMode;
  /** Partition columns of a new table (must match an existing table's). */
  partitionBy?: string[];
  /** 'merge' adds new columns; 'overwrite' (with mode 'overwrite') replaces the schema. */
  schemaMode?: 'merge' | 'overwrite';
  /** With mode 'overwrite': replace only the rows matching this filter. */
  predicate?: Filter;
  /** Table properties (new tables, or added to an existing table's). */
  properties?: Record<string, string>;
  name?: string;
  description?: string;
  storage?: StorageOptions;
  /** Idempotent write: skipped when the table already has this version (or later) for appId. */
  appTransaction?: { appId: string; version: number };
  /** @defaultValue 128 MiB */
  targetFileSizeBytes?: number;
  /** @defaultValue 'snappy' */
  compression?: ParquetCompression;
  userMetadata?: string;
  /** The commitInfo operation, for callers that are not plain writes (the streaming sink). @internal */
  operation?: { name: string; parameters: Record<string, string> };
  /**
   * The streaming sink's: a checkpoint this commit is due runs on the worker thread
   * (background-maintenance.ts), and this gets the promise of its end. @internal
   */
  backgroundMaintenance?: (done: Promise<void>) => void;
  now?: () => number;
}

export interface WriteResult {
  /** The version this write committed, or the current version when it was skipped. */
  version: Version;
  /** True when nothing was written (mode 'ignore', or an appTransaction already applied). */
  skipped: boolean;
  filesAdded: number;
  filesRemoved: number;
  rowsWritten: number;
  attempts: number;
}

/**
 * A Table, a RecordBatch, or an (async) iterable of RecordBatches, made by any apache-arrow >= 15
 * (not only this package's copy). Columns are converted exactly to Delta types (README "Write a table").
 */
export type WriteInput = Table | RecordBatch | Iterable<RecordBatch> | AsyncIterable<RecordBatch>;

/**
 * Writes Arrow data to the Delta table at `uri`, creating it when absent. Data that is not Arrow
 * (plain row objects, undefined) and column types Delta cannot store are INVALID_ARGUMENT.
 */
export async function writeDeltaTable(uri: string, data: WriteInput, opts: WriteOptions = {}): Promise<WriteResult> {
  validateWriteOptions(opts);
  const store = await storeForUri(uri, opts.storage ?? {});
  let state: TableState | undefined;
  try {
    // Only an overwrite needs the file list; every other mode needs the table's state alone.
    state = opts.mode === 'overwrite' ? await loadSnapshot(store) : await latestTableState(store);
  } catch (err) {
    if (!isDeltaError(err, 'TABLE_NOT_FOUND')) throw err;
  }
  return writeToStore(store, state, data, opts);
}

/**
 * The write itself, on an already opened store and table state (undefined = new table). An
 * overwrite reads the file list of that same version when `state` is not a Snapshot.
 */
export async function writeToStore(store: ObjectStore, state: TableState | undefined, data: WriteInput, opts: WriteOptions): Promise<WriteResult> {
  // Refusals that need no data come first, so that a refused write leaves nothing behind.
  validateWriteOptions(opts);
  if (opts.properties) opts = { ...opts, properties: validateTableProperties(opts.properties) };
  if (!state) await checkNewTableLocation(store);
  const mode = opts.mode ?? 'error';
  const snapshot = state && mode === 'overwrite' ? await withFiles(state) : state;
  const skipped = (version: Version): WriteResult => ({ version, skipped: true, filesAdded: 0, filesRemoved: 0, rowsWritten: 0, attempts: 0 });
  if (snapshot) {
    if (mode === 'error') {
      throw invalidArgument(`a Delta table already exists at ${store.rootUri} (version ${snapshot.version})`, "write with { mode: 'append' } or { mode: 'overwrite' }");
    }
    if (mode === 'ignore') return skipped(snapshot.version);
    const app = opts.appTransaction;
    if (app && (snapshot.txns.get(app.appId)?.version ?? -1) >= app.version) return skipped(snapshot.version);
  }
  if (opts.predicate && mode !== 'overwrite') throw invalidArgument("a predicate is only meaningful with mode 'overwrite'");
  if (opts.schemaMode === 'overwrite' && mode !== 'overwrite') throw invalidArgument("schemaMode 'overwrite' needs mode 'overwrite'");

  const batches = inputBatches(data);
  const first = await batches.next();
  const firstBatch = first.done ? undefined : first.value;
  const dataSchema = firstBatch ? newColumnsSchema(firstBatch.schema, snapshot, opts) : undefined;
  if (dataSchema) checkColumnNames(dataSchema);
  const plan = planTable(snapshot, dataSchema, opts);
  if (plan.metadataChanged) checkTableLayout(plan.schema, plan.metadata.partitionColumns, 'the table');
  if (snapshot) checkWriteSupport(snapshot.protocol, snapshot.metadata);
  checkWriteSupport(plan.protocol, plan.metadata);

  const writer = new DataFileWriter(store, {
    schema: plan.schema,
    partitionColumns: plan.metadata.partitionColumns,
    columnMapping: plan.columnMapping,
    statsColumns: dataSkippingNumIndexedCols(plan.metadata.configuration),
    ...(opts.targetFileSizeBytes !== undefined ? { targetFileSizeBytes: opts.targetFileSizeBytes } : {}),
    ...(opts.compression !== undefined ? { compression: opts.compression } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const predicate = opts.predicate && snapshot ? bindFilter(opts.predicate, plan.schema) : undefined;
  checkAppendOnly(snapshot instanceof Snapshot ? snapshot : undefined, mode, predicate, plan.metadata.configuration);
  // A predicate overwrite may rewrite part of a file; with the change data feed on, the rows it
  // replaces and inserts are recorded in cdc files, or readers would see the rewritten rows as
  // deleted and re-inserted. Whole-file changes need none (PROTOCOL-NOTES §15).
  const changes = predicate && snapshot && changeDataFeedEnabled(plan.metadata.configuration)
    ? new ChangeDataWriter(store, { schema: plan.schema, partitionColumns: plan.metadata.partitionColumns, columnMapping: plan.columnMapping, ...(opts.now ? { now: opts.now } : {}) })
    : undefined;
  let rows = 0;
  const consume = async (batch: RecordBatch): Promise<void> => {
    const conformed = conformForWrite(batch, plan.schema, opts.schemaMode);
    if (predicate) assertRowsMatch(conformed, predicate, plan.schema);
    rows += conformed.numRows;
    await writer.write(conformed);
    await changes?.write(conformed, 'insert');
  };
  if (firstBatch) await consume(firstBatch);
  for (let r = await batches.next(); !r.done; r = await batches.next()) await consume(r.value);

  const now = (opts.now ?? Date.now)();
  let removes: RemoveAction[] = [];
  let readPaths: string[] = [];
  if (snapshot instanceof Snapshot && mode === 'overwrite') {
    if (predicate) {
      const onDeleted = changes ? (deleted: RecordBatch) => changes.write(conformBatch(deleted, plan.schema), 'delete') : undefined;
      const rewrite = await rewriteForPredicate(snapshot, predicate, writer, now, onDeleted);
      removes = rewrite.removes;
      readPaths = rewrite.readPaths;
    } else {
      removes = snapshot.files.map((f) => removeFor(f.add, now));
      readPaths = snapshot.files.map((f) => f.add.path);
    }
  }
  const { adds, durable: filesDurable } = await writer.finishWritten();
  const cdcFiles = (await changes?.finish()) ?? [];
  const actions: Action[] = [];
  if (plan.protocolChanged) actions.push({ protocol: plan.protocol });
  if (plan.metadataChanged) actions.push({ metaData: plan.metadata });
  if (opts.appTransaction) actions.push({ txn: { appId: opts.appTransaction.appId, version: opts.appTransaction.version, lastUpdated: now } });
  for (const r of removes) actions.push({ remove: r });
  for (const a of adds) actions.push({ add: a });
  for (const c of cdcFiles) actions.push({ cdc: c });

  const operation = opts.operation?.name ?? (!snapshot ? 'CREATE TABLE AS SELECT' : 'WRITE');
  const result = await commitWrite({
    store,
    readVersion: snapshot?.version ?? -1,
    actions,
    filesDurable,
    operation,
    operationParameters: opts.operation?.parameters ?? operationParameters(mode, plan.metadata.partitionColumns, opts.predicate),
    operationMetrics: {
      numFiles: String(adds.length),
      numOutputRows: String(rows),
      numOutputBytes: String(adds.reduce((s, a) => s + a.size, 0)),
      ...(removes.length > 0 ? { numRemovedFiles: String(removes.length) } : {}),
    },
    footprint: footprintFor({
      snapshot,
      isBlindAppend: !plan.metadataChanged && !plan.protocolChanged && removes.length === 0 && !predicate && mode !== 'overwrite',
      readWholeTable: mode === 'overwrite' && !predicate,
      predicate,
      readPaths,
      removes,
      appIds: opts.appTransaction ? [opts.appTransaction.appId] : [],
      changesMetadata: plan.metadataChanged,
      changesProtocol: plan.protocolChanged,
    }),
    ...(opts.userMetadata !== undefined ? { userMetadata: opts.userMetadata } : {}),
    ...(plan.metadata.configuration['delta.enableInCommitTimestamps'] === 'true'
      ? { inCommitTimestamps: { previous: inCommitTimestampOf(snapshot) } } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  }, mode, plan.metadata.configuration);
  if (result.skipped) return skipped(result.version);
  if (snapshot) await rememberCommit(snapshot, result.version, [{ commitInfo: result.commitInfo }, ...actions]);
  const maintenance = await afterCommit(store, result.version, result.configuration, {
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.backgroundMaintenance ? { background: true } : {}),
  });
  opts.backgroundMaintenance?.(maintenance.done);
  return { version: result.version, skipped: false, filesAdded: adds.length, filesRemoved: removes.length, rowsWritten: rows, attempts: result.attempts };
}

/** The remove action that retires `add`, with the extended metadata CDF readers need. */
export function removeFor(add: AddAction, now: number): RemoveAction {
  return {
    path: add.path,
    deletionTimestamp: now,
    dataChange: true,
    extendedFileMetadata: true,
    partitionValues: add.partitionValues,
    size: add.size,
    ...(add.stats !== undefined ? { stats: add.stats } : {}),
    ...(add.deletionVector ? { deletionVector: add.deletionVector } : {}),
  };
}

function operationParameters(mode: WriteMode, partitionBy: string[], predicate: Filter | undefined): Record<string, string> {
  const params: Record<string, string> = {
    mode: mode === 'overwrite' ? 'Overwrite' : mode === 'append' ? 'Append' : mode === 'ignore' ? 'Ignore' : 'ErrorIfExists',
    partitionBy: JSON.stringify(partitionBy),
  };
  // bigint values (longs from Arrow) have no JSON form of their own: written as decimal strings.
  if (predicate) params.predicate = JSON.stringify(predicate, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return params;
}

/** Overwrite with a predicate may only write rows the predicate selects (Spark replaceWhere). */
function assertRowsMatch(batch: RecordBatch, predicate: BoundTerm[][], schema: StructType): void {
  const mask = rowMask(batch, predicate, schema.fields);
  const outside = mask.length - mask.reduce((s, m) => s + m, 0);
  if (outside > 0) {
    throw invalidArgument(
      `${outside} row(s) of the data do not match the overwrite predicate, so they would not replace anything`,
      'filter the data to the predicate first, or overwrite without a predicate',
    );
  }
}

/** The snapshot of `state`'s version with its file list (loaded when `state` has none). */
async function withFiles(state: TableState): Promise<Snapshot> {
  return state instanceof Snapshot ? state : loadSnapshot(state.store, { version: state.version });
}

function inCommitTimestampOf(snapshot: TableState | undefined): number | undefined {
  const ict = snapshot?.latestCommitInfo?.inCommitTimestamp;
  return typeof ict === 'number' ? ict : undefined;
}
