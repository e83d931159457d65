import type { RecordBatch } from 'apache-arrow';
import type { AddAction, RemoveAction, Version } from '../../protocol/actions.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { filterRows } from '../../format/arrow-take.js';
import type { RowPredicateInput } from '../read/row-predicate.js';
import { removeFor } from '../write/write.js';
import { addWithDeletionVector, mergeRows } from './deletion-vector-writer.js';
import { readMatchedFile } from './dml-scan.js';
import { commitPlannedDml, dmlWriters, planDml, type DmlCounts, type DmlOptions } from './dml-plan.js';

export type { DmlOptions } from './dml-plan.js';

/** What a DELETE did (delta-rs / Spark metric names). */
export interface DeleteResult extends DmlCounts {
  /** The version committed; the table's version when nothing matched (nothing is committed then). */
  version: Version;
  numDeletedRows: number;
}

/**
 * DELETE FROM the table WHERE predicate (every row when undefined). Files the predicate cannot
 * match are left alone; files whose live rows all match are removed; others get a deletion vector
 * (when the table writes DVs) or are rewritten without the deleted rows (copy-on-write).
 */
export async function deleteRows(snapshot: Snapshot, input: RowPredicateInput | undefined, opts: DmlOptions = {}): Promise<DeleteResult> {
  const plan = await planDml(snapshot, input, 'DELETE', opts);
  const { matches, useDvs } = plan;
  const result: DeleteResult = {
    version: snapshot.version, numDeletedRows: 0, numCopiedRows: 0, numAddedFiles: 0, numRemovedFiles: 0,
    numAddedChangeFiles: 0, numDeletionVectorsAdded: 0, numDeletionVectorsRemoved: 0, numDeletionVectorsUpdated: 0,
  };
  if (matches.length === 0) return result;

  const partial = matches.filter((m) => m.matched.length < m.liveRows);
  // A commit with cdc files is read through them alone, so once one partial rewrite records its
  // deleted rows there, every deleted row must be (PROTOCOL.md "Change Data Files"). DV deletes
  // and whole-file removes need none: readers derive them from the remove/add pairs.
  const w = dmlWriters(snapshot, opts, !useDvs && partial.length > 0);
  const cdf = w.cdf;
  const removes: RemoveAction[] = [];
  const dvAdds: AddAction[] = [];
  for (const m of matches) {
    result.numDeletedRows += m.matched.length;
    const hadDv = m.file.add.deletionVector !== undefined;
    removes.push(removeFor(m.file.add, plan.now));
    if (m.matched.length === m.liveRows) {
      if (hadDv) result.numDeletionVectorsRemoved++;
      if (cdf) await readMatchedFile(snapshot, m, (batch) => cdf.write(batch, 'delete'));
      continue;
    }
    if (useDvs) {
      dvAdds.push(addWithDeletionVector(m.file.add, w.dvs.add(mergeRows(m.deleted, m.matched))));
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
      await w.data.write(kept);
      if (cdf) await cdf.write(filterRows(batch, selected), 'delete');
    });
  }
  return commitPlannedDml(plan, 'DELETE', result, { numDeletedRows: result.numDeletedRows }, removes, dvAdds, w, opts);
}
