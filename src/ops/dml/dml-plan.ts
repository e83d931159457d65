import { unsupportedFeature } from '../../errors.js';
import type { Action, AddAction, AddCDCFile, RemoveAction, Version } from '../../protocol/actions.js';
import { checkWriteSupport } from '../../protocol/features.js';
import { changeDataFeedEnabled, dataSkippingNumIndexedCols } from '../../protocol/table-config.js';
import type { StructType } from '../../protocol/schema.js';
import type { ActiveFile, Snapshot } from '../../snapshot/snapshot.js';
import { commitTransaction } from '../../txn/transaction.js';
import type { TransactionFootprint } from '../../txn/conflict-checker.js';
import { bindRowPredicate, type RowPredicate, type RowPredicateInput } from '../read/row-predicate.js';
import { afterCommit } from '../write/after-commit.js';
import { ChangeDataWriter } from '../write/change-data-writer.js';
import { DataFileWriter } from '../write/data-file-writer.js';
import { footprintFor } from '../write/footprint.js';
import { DeletionVectorWriter, deletionVectorsWritable } from './deletion-vector-writer.js';
import { candidateFiles, matchFile, type FileMatch } from './dml-scan.js';

export interface DmlOptions {
  now?: () => number;
}

/**
 * The shared first half of DELETE and UPDATE: the checks, the bound predicate, the files it may
 * touch (pruned) and, of those, the ones with matching live rows.
 */
export interface DmlPlan {
  snapshot: Snapshot;
  predicate: RowPredicate | undefined;
  candidates: ActiveFile[];
  matches: FileMatch[];
  useDvs: boolean;
  /** The time stamped on removes. */
  now: number;
  started: number;
  scanTimeMs: number;
}

/** Checks that the table accepts `operation`, binds the predicate, and finds the matching rows file by file. */
export async function planDml(snapshot: Snapshot, input: RowPredicateInput | undefined, operation: string, opts: DmlOptions): Promise<DmlPlan> {
  checkWriteSupport(snapshot.protocol, snapshot.metadata);
  const predicate = bindRowPredicate(input, snapshot.schema);
  refuseAppendOnly(snapshot, operation);
  const started = Date.now();
  const now = (opts.now ?? Date.now)();
  const candidates = candidateFiles(snapshot, predicate);
  const matches: FileMatch[] = [];
  for (const file of candidates) {
    const m = await matchFile(snapshot, file, predicate);
    if (m.matched.length > 0) matches.push(m);
  }
  return {
    snapshot, predicate, candidates, matches, useDvs: deletionVectorsWritable(snapshot.protocol, snapshot.metadata),
    now, started, scanTimeMs: Date.now() - started,
  };
}

/** The writers of one DML commit: data files, deletion vectors and (when wanted) change data files. */
export interface DmlWriters {
  data: DataFileWriter;
  dvs: DeletionVectorWriter;
  cdf: ChangeDataWriter | undefined;
}

/**
 * Writers laid out as the table is (with `schema` when the operation evolves it); `withCdf`
 * false skips the change data writer even on a CDF table.
 */
export function dmlWriters(snapshot: Snapshot, opts: DmlOptions, withCdf = true, schema: StructType = snapshot.schema): DmlWriters {
  const layout = { schema, partitionColumns: [...snapshot.partitionColumns], columnMapping: snapshot.columnMapping, ...(opts.now ? { now: opts.now } : {}) };
  return {
    data: new DataFileWriter(snapshot.store, { ...layout, statsColumns: dataSkippingNumIndexedCols(snapshot.configuration) }),
    dvs: new DeletionVectorWriter(snapshot.store),
    cdf: withCdf && changeDataFeedEnabled(snapshot.configuration) ? new ChangeDataWriter(snapshot.store, layout) : undefined,
  };
}

/** What the writers produced, once finished. */
export interface DmlOutput {
  /** Newly written data files. */
  written: AddAction[];
  cdcFiles: AddCDCFile[];
}

/** Finishes the writers (the DV file first, so the descriptors are final). */
export async function finishWriters(w: DmlWriters): Promise<DmlOutput> {
  await w.dvs.finish();
  const written = await w.data.finish();
  const cdcFiles = (await w.cdf?.finish()) ?? [];
  return { written, cdcFiles };
}

/** The actions of a DML commit, in Spark's order: removes, adds (DV re-adds first), cdc files. */
export function dmlActions(removes: RemoveAction[], dvAdds: AddAction[], out: DmlOutput, leading: Action[] = []): Action[] {
  return [
    ...leading,
    ...removes.map((r) => ({ remove: r })),
    ...[...dvAdds, ...out.written].map((a) => ({ add: a })),
    ...out.cdcFiles.map((c) => ({ cdc: c })),
  ];
}

/** Bytes of the removed files that are really gone (not re-added with a DV). */
export function removedBytes(removes: RemoveAction[], dvAdds: AddAction[]): number {
  const readded = new Set(dvAdds.map((a) => a.path));
  return removes.filter((r) => !readded.has(r.path)).reduce((s, r) => s + (r.size ?? 0), 0);
}

/** The counts DELETE and UPDATE both report, in their results and their commit metrics. */
export interface DmlCounts {
  numCopiedRows: number;
  numAddedFiles: number;
  numRemovedFiles: number;
  numAddedChangeFiles: number;
  numDeletionVectorsAdded: number;
  numDeletionVectorsRemoved: number;
  numDeletionVectorsUpdated: number;
}

/**
 * The second half of DELETE and UPDATE: finishes the writers, fills the file counts of `result`
 * and commits; `rows` is the operation's own row count metric (`{ numDeletedRows }`,
 * `{ numUpdatedRows }`). Returns `result` with the committed version.
 */
export async function commitPlannedDml<R extends DmlCounts & { version: Version }>(plan: DmlPlan, operation: 'DELETE' | 'UPDATE', result: R, rows: Record<string, number>,
  removes: RemoveAction[], dvAdds: AddAction[], w: DmlWriters, opts: DmlOptions): Promise<R> {
  const out = await finishWriters(w);
  result.numAddedFiles = out.written.length;
  result.numRemovedFiles = removes.length - dvAdds.length;
  result.numAddedChangeFiles = out.cdcFiles.length;
  const version = await commitDml(plan.snapshot, {
    actions: dmlActions(removes, dvAdds, out),
    operation,
    operationParameters: { predicate: JSON.stringify(plan.predicate ? [plan.predicate.text] : []) },
    ...dmlCommitMetrics(plan, result, rows, removes, dvAdds, out),
  }, opts);
  return { ...result, version };
}

/**
 * The commit metrics (delta-rs / Spark names) and conflict footprint of a planned DELETE or
 * UPDATE; `rows` is the operation's own row count (`{ numDeletedRows }`, `{ numUpdatedRows }`).
 */
function dmlCommitMetrics(plan: DmlPlan, counts: DmlCounts, rows: Record<string, number>, removes: RemoveAction[], dvAdds: AddAction[], out: DmlOutput): {
  operationMetrics: Record<string, string>;
  footprint: TransactionFootprint;
} {
  const metrics: Record<string, number> = {
    numAddedFiles: counts.numAddedFiles,
    numRemovedFiles: counts.numRemovedFiles,
    numDeletionVectorsAdded: counts.numDeletionVectorsAdded,
    numDeletionVectorsRemoved: counts.numDeletionVectorsRemoved,
    numDeletionVectorsUpdated: counts.numDeletionVectorsUpdated,
    numAddedChangeFiles: counts.numAddedChangeFiles,
    ...rows,
    numCopiedRows: counts.numCopiedRows,
    numRemovedBytes: removedBytes(removes, dvAdds),
    numAddedBytes: out.written.reduce((s, a) => s + a.size, 0),
    executionTimeMs: Date.now() - plan.started,
    scanTimeMs: plan.scanTimeMs,
    rewriteTimeMs: Date.now() - plan.started - plan.scanTimeMs,
  };
  return {
    operationMetrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, String(v)])),
    footprint: dmlFootprint(plan.snapshot, plan.predicate, plan.candidates.map((f) => f.add.path), removes),
  };
}

/** Commits a DML transaction through the shared commit loop, then runs the post-commit work. */
export async function commitDml(snapshot: Snapshot, p: {
  actions: Action[];
  operation: 'DELETE' | 'UPDATE' | 'MERGE';
  operationParameters: Record<string, string>;
  operationMetrics: Record<string, string>;
  footprint: TransactionFootprint;
}, opts: DmlOptions): Promise<Version> {
  const commit = await commitTransaction({
    store: snapshot.store,
    readVersion: snapshot.version,
    ...p,
    ...(snapshot.configuration['delta.enableInCommitTimestamps'] === 'true'
      ? { inCommitTimestamps: { previous: typeof snapshot.latestCommitInfo?.inCommitTimestamp === 'number' ? snapshot.latestCommitInfo.inCommitTimestamp : undefined } } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  await afterCommit(snapshot.store, commit.version, snapshot.configuration, opts.now ? { now: opts.now } : {});
  return commit.version;
}

/**
 * The conflict footprint of a DELETE/UPDATE/MERGE (Spark ConflictChecker, Serializable): the files
 * it read and removed, and its read predicate; a predicate with no partition terms (or none at
 * all) reads the whole table, so any concurrently added file conflicts.
 */
export function dmlFootprint(snapshot: Snapshot, predicate: RowPredicate | undefined, readPaths: string[], removes: RemoveAction[]): TransactionFootprint {
  return footprintFor({
    snapshot,
    isBlindAppend: false,
    readWholeTable: predicate?.pruning === undefined,
    predicate: predicate?.pruning,
    readPaths,
    removes,
    appIds: [],
    changesMetadata: false,
    changesProtocol: false,
  });
}

/** DML removes rows, which an append-only table forbids (PROTOCOL.md "Append-only Tables"). */
export function refuseAppendOnly(snapshot: Snapshot, operation: string): void {
  if (snapshot.configuration['delta.appendOnly']?.trim().toLowerCase() !== 'true') return;
  throw unsupportedFeature(
    `the table is append-only (delta.appendOnly=true), so ${operation} cannot change its rows`,
    'set delta.appendOnly=false on the table first, or write the corrected rows as an append',
  );
}
