import type { AddAction, DeletionVectorDescriptor, Metadata, Protocol } from '../../protocol/actions.js';
import { dvFileBytes, uuidToZ85 } from '../../protocol/deletion-vector-file.js';
import { serializeRoaringTreemap } from '../../protocol/roaring-write.js';
import type { ObjectStore } from '../../storage/object-store.js';

/**
 * Whether DML marks rows with deletion vectors: the protocol supports `deletionVectors` (reader
 * and writer lists) and `delta.enableDeletionVectors` is true (PROTOCOL.md "Deletion Vectors";
 * readers apply DVs whatever the property says, writers only write them when both hold).
 */
export function deletionVectorsWritable(protocol: Protocol, metadata: Metadata): boolean {
  const supported = (protocol.readerFeatures ?? []).includes('deletionVectors') && (protocol.writerFeatures ?? []).includes('deletionVectors');
  return supported && metadata.configuration['delta.enableDeletionVectors']?.trim().toLowerCase() === 'true';
}

/**
 * Collects the deletion vectors of one commit and writes them into one DV file at the table root,
 * `deletion_vector_<uuid>.bin` (storage type 'u', as Spark's DML does), each bitmap framed by its
 * size and CRC. Descriptors are final once `finish()` has written the file.
 */
export class DeletionVectorWriter {
  private readonly bitmaps: Uint8Array[] = [];
  private readonly descriptors: DeletionVectorDescriptor[] = [];
  private readonly uuid = crypto.randomUUID();

  constructor(private readonly store: ObjectStore) {}

  /** A descriptor for these deleted rows (ascending physical row indexes). */
  add(rows: ArrayLike<number>): DeletionVectorDescriptor {
    const bitmap = serializeRoaringTreemap(rows);
    const d: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: uuidToZ85(this.uuid), offset: 0, sizeInBytes: bitmap.length, cardinality: rows.length };
    this.bitmaps.push(bitmap);
    this.descriptors.push(d);
    return d;
  }

  /** Writes the DV file (none when no DV was added) and fills in the offsets. */
  async finish(): Promise<void> {
    if (this.bitmaps.length === 0) return;
    const { bytes, offsets } = dvFileBytes(this.bitmaps);
    offsets.forEach((o, i) => (this.descriptors[i]!.offset = o));
    await this.store.put(`deletion_vector_${this.uuid}.bin`, bytes);
  }
}

/**
 * The add that re-commits a file with a new DV: same file, `dataChange` true, statistics marked
 * as wide bounds (`tightBounds: false`: min/max may now describe deleted rows; numRecords stays
 * the physical count). The stats text is edited, not re-serialized, so exact numbers stay exact.
 */
export function addWithDeletionVector(add: AddAction, dv: DeletionVectorDescriptor): AddAction {
  const { deletionVector: _old, ...rest } = add;
  const out: AddAction = { ...rest, dataChange: true, deletionVector: dv };
  if (add.stats !== undefined) out.stats = wideBounds(add.stats);
  return out;
}

function wideBounds(stats: string): string {
  if (/"tightBounds"\s*:\s*(true|false)/.test(stats)) return stats.replace(/"tightBounds"\s*:\s*(true|false)/, '"tightBounds":false');
  const open = stats.indexOf('{');
  if (open < 0) return stats;
  const rest = stats.slice(open + 1).trimStart();
  return `${stats.slice(0, open + 1)}${rest.startsWith('}') ? '"tightBounds":false' : '"tightBounds":false,'}${stats.slice(open + 1)}`;
}

/** The union of two ascending row index lists, ascending. */
export function mergeRows(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    if (x === y) { out.push(x); i++; j++; } else if (x < y) { out.push(x); i++; } else { out.push(y); j++; }
  }
  return out;
}
