import type { RecordBatch } from 'apache-arrow';
import { unsupportedFeature } from '../../errors.js';
import type { Action, AddAction, RemoveAction, Version } from '../../protocol/actions.js';
import { checkWriteSupport } from '../../protocol/features.js';
import { changeDataFeedEnabled, dataSkippingNumIndexedCols } from '../../protocol/table-config.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { commitTransaction } from '../../txn/transaction.js';
import { afterCommit } from '../write/after-commit.js';
import { ChangeDataWriter } from '../write/change-data-writer.js';
import { DataFileWriter } from '../write/data-file-writer.js';
import { addWithDeletionVector, DeletionVectorWriter, deletionVectorsWritable, mergeRows } from './deletion-vector-writer.js';
import { candidateFiles, matchFile, readMatchedFile, type FileMatch } from './dml-scan.js';
import { footprintFor } from '../write/footprint.js';
import { bindRowPredicate, type RowPredicate, type RowPredicateInput } from '../read/row-predicate.js';
import { filterRows } from '../../format/arrow-take.js';
import { removeFor } from '../write/write.js';

/** What a DELETE did (delta-rs / Spark metric names). */
export interface DeleteResult {
  /** The version committed; the table's version when nothing matched (nothing is committed then). */
  version: Version;
  numDeletedRows: number;
  numCopiedRows: number;
  numAddedFiles: number;
  numRemovedFiles: number;
  numAddedChangeFiles: number;
  numDeletionVectorsAdded: number;
  numDeletionVectorsRemoved: number;
  numDeletionVectorsUpdated: number;
}

export interface DmlOptions {
  now?: () => number;
}

/**
 * DELETE FROM the table WHERE predicate (every row when undefined). Files the predicate cannot
 * match are left alone; files whose live rows all match are removed; others get a deletion vector
 * (when the table writes DVs) or are rewritten without the deleted rows (copy-on-write).
 */
export async function deleteRows(snapshot: Snapshot, input: RowPredicateInput | undefined, opts: DmlOptions = {}): Promise<DeleteResult> {
  checkWriteSupport(snapshot.protocol, snapshot.metadata);
  const predicate = bindRowPredicate(input, snapshot.schema);
  refuseAppendOnly(snapshot, 'DELETE');
  const started = Date.now();
  const now = (opts.now ?? Date.now)();
  const useDvs = deletionVectorsWritable(snapshot.protocol, snapshot.metadata);
  const candidates = candidateFiles(snapshot, predicate);
  const matches: FileMatch[] = [];
  for (const file of candidates) {
    const m = await matchFile(snapshot, file, predicate);
    if (m.matched.length > 0) matches.push(m);
  }
  const scanTimeMs = Date.now() - started;
  const result: DeleteResult = {
    version: snapshot.version, numDeletedRows: 0, numCopiedRows: 0, numAddedFiles: 0, numRemovedFiles: 0,
    numAddedChangeFiles: 0, numDeletionVectorsAdded: 0, numDeletionVectorsRemoved: 0, numDeletionVectorsUpdated: 0,
  };
  if (matches.length === 0) return result;

  const partial = matches.filter((m) => m.matched.length < m.liveRows);
  // A commit with cdc files is read through them alone, so once one partial rewrite records its
  // deleted rows there, every deleted row must be (PROTOCOL.md "Change Data Files"). DV deletes
  // and whole-file removes need none: readers derive them from the remove/add pairs.
  const cdf = changeDataFeedEnabled(snapshot.configuration) && !useDvs && partial.length > 0
    ? new ChangeDataWriter(snapshot.store, { schema: snapshot.schema, partitionColumns: [...snapshot.partitionColumns], columnMapping: snapshot.columnMapping, ...(opts.now ? { now: opts.now } : {}) })
    : undefined;
  const writer = new DataFileWriter(snapshot.store, {
    schema: snapshot.schema, partitionColumns: [...snapshot.partitionColumns], columnMapping: snapshot.columnMapping,
    statsColumns: dataSkippingNumIndexedCols(snapshot.configuration), ...(opts.now ? { now: opts.now } : {}),
  });
  const dvs = new DeletionVectorWriter(snapshot.store);
  const removes: RemoveAction[] = [];
  const dvAdds: AddAction[] = [];
  for (const m of matches) {
    result.numDeletedRows += m.matched.length;
    const hadDv = m.file.add.deletionVector !== undefined;
    removes.push(removeFor(m.file.add, now));
    if (m.matched.length === m.liveRows) {
      if (hadDv) result.numDeletionVectorsRemoved++;
      if (cdf) await readMatchedFile(snapshot, m, (batch) => cdf.write(batch, 'delete'));
      continue;
    }
    if (useDvs) {
      dvAdds.push(addWithDeletionVector(m.file.add, dvs.add(mergeRows(m.deleted, m.matched))));
      result.numDeletionVectorsAdded++;
      if (hadDv) {
        result.numDeletionVectorsRemoved++;
        result.numDeletionVectorsUpdated++;
      }
      continue;
    }
    if (hadDv) result.numDeletionVectorsRemoved++;
    await readMatchedFile(snapshot, m, async (batch: RecordBatch, selected) => {
      const keep = selected.map((s) => 1 - s);
      const kept = filterRows(batch, keep);
      result.numCopiedRows += kept.numRows;
      await writer.write(kept);
      if (cdf) await cdf.write(filterRows(batch, selected), 'delete');
    });
  }
  await dvs.finish();
  const adds = [...dvAdds, ...(await writer.finish())];
  const cdcFiles = (await cdf?.finish()) ?? [];
  const actions: Action[] = [...removes.map((r) => ({ remove: r })), ...adds.map((a) => ({ add: a })), ...cdcFiles.map((c) => ({ cdc: c }))];
  result.numAddedFiles = adds.length - dvAdds.length;
  result.numRemovedFiles = removes.length - dvAdds.length;
  result.numAddedChangeFiles = cdcFiles.length;
  const commit = await commitTransaction({
    store: snapshot.store,
    readVersion: snapshot.version,
    actions,
    operation: 'DELETE',
    operationParameters: { predicate: JSON.stringify(predicate ? [predicate.text] : []) },
    operationMetrics: {
      numAddedFiles: String(result.numAddedFiles),
      numRemovedFiles: String(result.numRemovedFiles),
      numDeletionVectorsAdded: String(result.numDeletionVectorsAdded),
      numDeletionVectorsRemoved: String(result.numDeletionVectorsRemoved),
      numDeletionVectorsUpdated: String(result.numDeletionVectorsUpdated),
      numAddedChangeFiles: String(result.numAddedChangeFiles),
      numDeletedRows: String(result.numDeletedRows),
      numCopiedRows: String(result.numCopiedRows),
      numRemovedBytes: String(removes.filter((r) => !dvAdds.some((a) => a.path === r.path)).reduce((s, r) => s + (r.size ?? 0), 0)),
      numAddedBytes: String(adds.filter((a) => !dvAdds.includes(a)).reduce((s, a) => s + a.size, 0)),
      executionTimeMs: String(Date.now() - started),
      scanTimeMs: String(scanTimeMs),
      rewriteTimeMs: String(Date.now() - started - scanTimeMs),
    },
    footprint: dmlFootprint(snapshot, predicate, candidates.map((f) => f.add.path), removes),
    ...(snapshot.configuration['delta.enableInCommitTimestamps'] === 'true'
      ? { inCommitTimestamps: { previous: typeof snapshot.latestCommitInfo?.inCommitTimestamp === 'number' ? snapshot.latestCommitInfo.inCommitTimestamp : undefined } } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  await afterCommit(snapshot.store, commit.version, snapshot.configuration, opts.now ? { now: opts.now } : {});
  return { ...result, version: commit.version };
}

/**
 * The conflict footprint of a DELETE/UPDATE (Spark ConflictChecker, Serializable): the files it
 * read and removed, and its read predicate; a predicate with no partition terms (or none at all)
 * reads the whole table, so any concurrently added file conflicts.
 */
export function dmlFootprint(snapshot: Snapshot, predicate: RowPredicate | undefined, readPaths: string[], removes: RemoveAction[]): ReturnType<typeof footprintFor> {
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
