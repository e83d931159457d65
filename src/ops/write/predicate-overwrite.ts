import type { RecordBatch } from 'apache-arrow';
import type { RemoveAction } from '../../protocol/actions.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import type { DataFileWriter } from './data-file-writer.js';
import type { BoundTerm } from '../read/filter.js';
import { planReadColumns, readDataFile } from '../read/read-data-file.js';
import { pruneFiles, rowMask } from '../read/scan.js';
import { filterRows } from '../../format/arrow-take.js';

/**
 * Overwrite with a predicate: files the predicate cannot touch stay; files whose rows all match
 * are removed; files with some matching rows are removed and their other rows rewritten
 * through `writer` (so partition-only predicates remove whole files and rewrite nothing).
 * `onDeleted` receives the rows the overwrite replaces (for the change data feed).
 */
export async function rewriteForPredicate(
  snapshot: Snapshot, predicate: BoundTerm[][], writer: DataFileWriter, now: number,
  onDeleted?: (rows: RecordBatch) => Promise<void>,
): Promise<{ removes: RemoveAction[]; readPaths: string[] }> {
  const removes: RemoveAction[] = [];
  const readPaths: string[] = [];
  const cols = planReadColumns(snapshot, [...snapshot.schema.fields]);
  for (const file of pruneFiles(snapshot, predicate)) {
    readPaths.push(file.add.path);
    const keep = [];
    let matched = 0;
    for await (const batch of readDataFile(snapshot, file, cols)) {
      const mask = rowMask(batch, predicate, cols.fields);
      const hits = mask.reduce((s, m) => s + m, 0);
      matched += hits;
      if (hits < batch.numRows) keep.push(filterRows(batch, mask.map((m) => 1 - m)));
      if (hits > 0 && onDeleted) await onDeleted(filterRows(batch, mask));
    }
    if (matched === 0) continue;
    removes.push({
      path: file.add.path,
      deletionTimestamp: now,
      dataChange: true,
      extendedFileMetadata: true,
      partitionValues: file.add.partitionValues,
      size: file.add.size,
      ...(file.add.deletionVector ? { deletionVector: file.add.deletionVector } : {}),
    });
    for (const b of keep) await writer.write(b);
  }
  return { removes, readPaths };
}
