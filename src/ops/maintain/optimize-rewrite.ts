import type { RecordBatch } from 'apache-arrow';
import { takeRows } from '../../format/arrow-take.js';
import type { AddAction } from '../../protocol/actions.js';
import { dataSkippingNumIndexedCols } from '../../protocol/table-config.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { DataFileWriter } from '../write/data-file-writer.js';
import type { OptimizeBin, OptimizePlan } from './optimize-plan.js';
import { planReadColumns, readDataFile } from '../read/read-data-file.js';
import { zOrderPermutation } from './zorder.js';

/**
 * Rewrites one bin into new files and returns their adds (dataChange=false). Reading goes
 * through readDataFile, so rows a deletion vector deletes are not carried over.
 * Bin-packing streams the bin's files into one writer: one output file, the only data held.
 * Z-order holds the bin's rows, sorts them by their interleaved key and cuts files of about
 * the target size (row count scaled from the bin's input bytes).
 */
export async function rewriteBin(snapshot: Snapshot, bin: OptimizeBin, plan: OptimizePlan, now: () => number): Promise<AddAction[]> {
  const cols = planReadColumns(snapshot, [...snapshot.schema.fields]);
  if (plan.zOrderBy.length === 0) {
    const writer = newWriter(snapshot, now);
    for (const file of bin.files) {
      for await (const batch of readDataFile(snapshot, file, cols)) await writer.write(batch);
    }
    return optimizeAdds(await writer.finish());
  }
  const batches: RecordBatch[] = [];
  for (const file of bin.files) {
    for await (const batch of readDataFile(snapshot, file, cols)) batches.push(batch);
  }
  const total = batches.reduce((s, b) => s + b.numRows, 0);
  if (total === 0) return [];
  const order = zOrderPermutation(batches, plan.zOrderBy);
  const batchOf = new Uint32Array(total);
  const rowOf = new Uint32Array(total);
  let g = 0;
  batches.forEach((b, bi) => {
    for (let i = 0; i < b.numRows; i++, g++) {
      batchOf[g] = bi;
      rowOf[g] = i;
    }
  });
  const rowsPerFile = Math.max(1, Math.ceil(total * Math.min(1, plan.targetSizeBytes / Math.max(1, bin.bytes))));
  const adds: AddAction[] = [];
  for (let start = 0; start < total; start += rowsPerFile) {
    const end = Math.min(total, start + rowsPerFile);
    // Rows of one output file, grouped by source batch, each group in Z-order: the file holds
    // exactly its stretch of the curve, which is what its statistics (and skipping) see.
    const perBatch = new Map<number, number[]>();
    for (let k = start; k < end; k++) {
      const id = order[k]!;
      const list = perBatch.get(batchOf[id]!) ?? [];
      list.push(rowOf[id]!);
      perBatch.set(batchOf[id]!, list);
    }
    const writer = newWriter(snapshot, now);
    for (const [bi, rows] of perBatch) await writer.write(takeRows(batches[bi]!, Int32Array.from(rows)));
    adds.push(...optimizeAdds(await writer.finish()));
  }
  return adds;
}

function newWriter(snapshot: Snapshot, now: () => number): DataFileWriter {
  return new DataFileWriter(snapshot.store, {
    schema: snapshot.schema,
    partitionColumns: [...snapshot.partitionColumns],
    columnMapping: snapshot.columnMapping,
    statsColumns: dataSkippingNumIndexedCols(snapshot.configuration),
    // One bin is one output file: the plan already sized the bin to the target.
    targetFileSizeBytes: Number.MAX_SAFE_INTEGER,
    now,
  });
}

/** OPTIMIZE moves rows without changing them (PROTOCOL.md "Add File and Remove File": dataChange). */
function optimizeAdds(adds: AddAction[]): AddAction[] {
  return adds.map((a) => ({ ...a, dataChange: false }));
}
