import { corruptLog, fileNotFound, isDeltaError } from '../../errors.js';
import type { DeletionVectorDescriptor } from '../../protocol/actions.js';
import { deserializeRoaringTreemap, parseDvFile, z85Decode } from '../../protocol/deletion-vector.js';
import { dvLocation, storePathOf } from '../../protocol/path-gate.js';
import type { ObjectStore } from '../../storage/object-store.js';

/**
 * Loads the deleted row indexes of a deletion vector (PROTOCOL.md "Deletion Vectors"), sorted
 * ascending. Inline DVs are decoded from the descriptor; 'u' and 'p' DVs are read from the file
 * the path gate resolves them to ('p' may lie outside the root on the same store kind).
 */
export async function loadDeletedRows(store: ObjectStore, dv: DeletionVectorDescriptor, dataPath: string): Promise<Float64Array> {
  let bitmap: Uint8Array;
  if (dv.storageType === 'i') {
    bitmap = z85Decode(dv.pathOrInlineDv).subarray(0, dv.sizeInBytes);
  } else {
    const path = storePathOf(dvLocation(dv, store.rootUri)!, store.rootUri);
    let bytes: Uint8Array;
    try {
      bytes = await store.get(path);
    } catch (err) {
      if (isDeltaError(err, 'FILE_NOT_FOUND')) throw fileNotFound(`${path} (deletion vector of ${dataPath})`, err);
      throw err;
    }
    bitmap = parseDvFile(bytes, dv.offset ?? 1, dv.sizeInBytes);
  }
  const rows = deserializeRoaringTreemap(bitmap);
  if (rows.length !== dv.cardinality) {
    throw corruptLog(dataPath, `deletion vector holds ${rows.length} rows but its descriptor says ${dv.cardinality}`);
  }
  return rows;
}
