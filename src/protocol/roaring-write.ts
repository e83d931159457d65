import { invalidArgument } from '../errors.js';
import { DV_BITMAP_MAGIC } from './roaring.js';

const SERIAL_COOKIE_NO_RUN = 12346;
const MAX_ARRAY_CARDINALITY = 4096;
const BITMAP_CONTAINER_BYTES = 8192;

/**
 * Serializes row indexes as a DV bitmap in the portable format (PROTOCOL.md "Deletion Vector
 * Format"): little-endian magic, u64 bucket count, then per non-empty bucket (ascending high 32
 * bits) a u32 key and a standard 32-bit RoaringBitmap (no-run cookie, array or bitmap containers).
 * `rows` must be ascending and distinct integers below 2^53.
 */
export function serializeRoaringTreemap(rows: ArrayLike<number>): Uint8Array {
  const buckets: Array<{ key: number; low: number[] }> = [];
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i]!;
    if (!Number.isSafeInteger(v) || v < 0 || (i > 0 && v <= rows[i - 1]!)) {
      throw invalidArgument(`deletion vector rows must be ascending distinct non-negative integers, got ${v} at ${i}`);
    }
    const key = Math.floor(v / 2 ** 32);
    if (buckets.length === 0 || buckets[buckets.length - 1]!.key !== key) buckets.push({ key, low: [] });
    buckets[buckets.length - 1]!.low.push(v - key * 2 ** 32);
  }
  const parts = buckets.map((b) => ({ key: b.key, bytes: serializeRoaring32(b.low) }));
  const out = new Uint8Array(12 + parts.reduce((n, p) => n + 4 + p.bytes.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, DV_BITMAP_MAGIC, true);
  view.setBigUint64(4, BigInt(parts.length), true);
  let at = 12;
  for (const p of parts) {
    view.setUint32(at, p.key, true);
    out.set(p.bytes, at + 4);
    at += 4 + p.bytes.length;
  }
  return out;
}

/** A standard RoaringBitmap (RoaringFormatSpec, cookie 12346) of ascending u32 values. */
function serializeRoaring32(values: number[]): Uint8Array {
  const containers: Array<{ key: number; lows: number[] }> = [];
  for (const v of values) {
    const key = v >>> 16;
    if (containers.length === 0 || containers[containers.length - 1]!.key !== key) containers.push({ key, lows: [] });
    containers[containers.length - 1]!.lows.push(v & 0xffff);
  }
  const bodySize = (c: { lows: number[] }): number => (c.lows.length <= MAX_ARRAY_CARDINALITY ? 2 * c.lows.length : BITMAP_CONTAINER_BYTES);
  const header = 8 + 4 * containers.length + 4 * containers.length;
  const out = new Uint8Array(header + containers.reduce((n, c) => n + bodySize(c), 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, SERIAL_COOKIE_NO_RUN, true);
  view.setUint32(4, containers.length, true);
  let at = 8;
  for (const c of containers) {
    view.setUint16(at, c.key, true);
    view.setUint16(at + 2, c.lows.length - 1, true);
    at += 4;
  }
  // The no-run format always carries the container offset table.
  let offset = header;
  for (const c of containers) {
    view.setUint32(at, offset, true);
    at += 4;
    offset += bodySize(c);
  }
  for (const c of containers) {
    if (c.lows.length <= MAX_ARRAY_CARDINALITY) {
      for (const low of c.lows) {
        view.setUint16(at, low, true);
        at += 2;
      }
    } else {
      for (const low of c.lows) out[at + (low >> 3)]! |= 1 << (low & 7);
      at += BITMAP_CONTAINER_BYTES;
    }
  }
  return out;
}
