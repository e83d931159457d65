import { crc32 } from './deletion-vector.js';
import { z85Encode } from './z85.js';

/**
 * The bytes of a DV file holding these bitmaps (PROTOCOL.md "Deletion Vector File Storage
 * Format"): format version 1, then per bitmap a big-endian u32 size, the bitmap and a big-endian
 * CRC-32 of it. Returns each bitmap's offset, which points at its size field (the first is 1).
 */
export function dvFileBytes(bitmaps: Uint8Array[]): { bytes: Uint8Array; offsets: number[] } {
  const out = new Uint8Array(1 + bitmaps.reduce((n, b) => n + 8 + b.length, 0));
  const view = new DataView(out.buffer);
  out[0] = 1;
  const offsets: number[] = [];
  let at = 1;
  for (const b of bitmaps) {
    offsets.push(at);
    view.setUint32(at, b.length);
    out.set(b, at + 4);
    view.setUint32(at + 4 + b.length, crc32(b));
    at += 8 + b.length;
  }
  return { bytes: out, offsets };
}

/** The 20 Z85 characters of a canonical UUID (its 16 bytes, most significant first). */
export function uuidToZ85(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return z85Encode(bytes);
}
