import { corruptLog, invalidArgument } from '../errors.js';
import type { DeletionVectorDescriptor } from './actions.js';
import { z85ToUuid } from './z85.js';

export { DV_BITMAP_MAGIC, DV_NATIVE_BITMAP_MAGIC, deserializeRoaringTreemap } from './roaring.js';
export { z85Decode, z85Encode, z85ToUuid } from './z85.js';

/** The DV half of a logical file's key: `<storageType><pathOrInlineDv>[@<offset>]` (PROTOCOL.md "Deletion Vectors"). */
export function dvUniqueId(dv: DeletionVectorDescriptor): string {
  return dv.offset === undefined ? `${dv.storageType}${dv.pathOrInlineDv}` : `${dv.storageType}${dv.pathOrInlineDv}@${dv.offset}`;
}

/**
 * The file of a storage-type 'u' DV, relative to the table root:
 * `[<prefix>/]deletion_vector_<uuid>.bin`, where the UUID is the last 20 Z85 characters of
 * `pathOrInlineDv` and the prefix the characters before them.
 */
export function dvRelativePath(dv: DeletionVectorDescriptor): string {
  if (dv.storageType !== 'u') throw invalidArgument(`only storage type 'u' deletion vectors have a relative path, not '${dv.storageType}'`);
  const text = dv.pathOrInlineDv;
  if (text.length < 20) throw corruptLog('deletion vector', `pathOrInlineDv "${text}" is shorter than a 20-character encoded UUID`);
  const prefix = text.slice(0, -20);
  const file = `deletion_vector_${z85ToUuid(text.slice(-20))}.bin`;
  return prefix === '' ? file : `${prefix}/${file}`;
}

const DV_FILE_FORMAT_VERSION = 1;

/**
 * The bitmap bytes of one DV inside a DV file: the file starts with format version 1; at
 * `offset` come a big-endian u32 size (must equal `sizeInBytes`), the bitmap, and a big-endian
 * CRC-32 of the bitmap. Any mismatch is CORRUPT_LOG.
 */
export function parseDvFile(bytes: Uint8Array, offset: number, sizeInBytes: number): Uint8Array {
  const bad = (what: string): never => {
    throw corruptLog('deletion vector file', what);
  };
  if (bytes.length < 1 || bytes[0] !== DV_FILE_FORMAT_VERSION) bad(`format version is ${bytes[0]}, expected ${DV_FILE_FORMAT_VERSION}`);
  if (!Number.isInteger(offset) || offset < 1 || offset + 8 + sizeInBytes > bytes.length) {
    bad(`a ${sizeInBytes}-byte deletion vector at offset ${offset} does not fit in a ${bytes.length}-byte file`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(offset);
  if (size !== sizeInBytes) bad(`the deletion vector at offset ${offset} is ${size} bytes, but its descriptor says ${sizeInBytes}`);
  const data = bytes.subarray(offset + 4, offset + 4 + size);
  const stored = view.getUint32(offset + 4 + size);
  const actual = crc32(data);
  if (stored !== actual) bad(`checksum mismatch at offset ${offset}: stored ${hex(stored)}, computed ${hex(actual)}`);
  return data;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as java.util.zip.CRC32 computes it). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
