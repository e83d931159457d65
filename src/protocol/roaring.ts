import { corruptLog } from '../errors.js';

/**
 * First four bytes (little-endian) of a Delta DV bitmap in the portable format
 * (PROTOCOL.md "Deletion Vector Format").
 */
export const DV_BITMAP_MAGIC = 1681511377;
/**
 * Magic of the older "native" RoaringBitmapArray format: a u32 bitmap count, then per high key
 * a u32 byte size and a 32-bit RoaringBitmap. PROTOCOL.md's inline DV example uses it with a
 * big-endian header, so both header byte orders are accepted.
 */
export const DV_NATIVE_BITMAP_MAGIC = 1681511376;

const SERIAL_COOKIE_NO_RUN = 12346;
const SERIAL_COOKIE_RUN = 12347;
/** With the run cookie, the container offset table is only present from this many containers. */
const NO_OFFSET_THRESHOLD = 4;
const MAX_ARRAY_CARDINALITY = 4096;
const BITMAP_CONTAINER_BYTES = 8192;
/** Row indexes must stay exact in a double: high key * 2^32 + low < 2^53. */
const MAX_HIGH_KEY = 2 ** 21;

/**
 * Decodes a DV bitmap to its deleted row indexes, ascending. The portable format is the magic,
 * then a RoaringTreemap: u64 bucket count, and per bucket a u32 high key and a standard 32-bit
 * RoaringBitmap, all little-endian. Any inconsistency is CORRUPT_LOG.
 */
export function deserializeRoaringTreemap(bytes: Uint8Array): Float64Array {
  const r = new ByteReader(bytes);
  const magicLe = r.u32(true);
  const buckets: Array<{ key: number; low: Uint32Array }> = [];
  if (magicLe === DV_BITMAP_MAGIC) {
    const count = r.u64();
    for (let b = 0; b < count; b++) {
      const key = r.u32(true);
      if (b > 0 && key <= buckets[b - 1]!.key) r.fail('bucket keys are not ascending');
      buckets.push({ key: checkKey(r, key), low: readRoaring32(r) });
    }
  } else if (magicLe === DV_NATIVE_BITMAP_MAGIC || swap32(magicLe) === DV_NATIVE_BITMAP_MAGIC) {
    const littleEndian = magicLe === DV_NATIVE_BITMAP_MAGIC;
    const count = r.u32(littleEndian);
    for (let key = 0; key < count; key++) {
      const size = r.u32(littleEndian);
      const end = r.position + size;
      buckets.push({ key: checkKey(r, key), low: readRoaring32(r) });
      if (r.position !== end) r.fail(`bitmap ${key} declares ${size} bytes but holds ${size - end + r.position}`);
    }
  } else {
    r.fail(`bitmap magic is ${magicLe}, expected ${DV_BITMAP_MAGIC}`);
  }
  const out = new Float64Array(buckets.reduce((n, b) => n + b.low.length, 0));
  let at = 0;
  for (const { key, low } of buckets) {
    for (const v of low) out[at++] = key * 2 ** 32 + v;
  }
  return out;
}

function checkKey(r: ByteReader, key: number): number {
  if (key >= MAX_HIGH_KEY) r.fail(`bucket key ${key} puts row indexes beyond 2^53`);
  return key;
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** One standard (32-bit) RoaringBitmap serialization: its values, ascending. */
function readRoaring32(r: ByteReader): Uint32Array {
  const cookie = r.u32(true);
  let size: number;
  let runFlags: Uint8Array | undefined;
  if ((cookie & 0xffff) === SERIAL_COOKIE_RUN) {
    size = (cookie >>> 16) + 1;
    runFlags = r.bytes(Math.ceil(size / 8));
  } else if (cookie === SERIAL_COOKIE_NO_RUN) {
    size = r.u32(true);
  } else {
    return r.fail(`unknown RoaringBitmap cookie ${cookie}`);
  }
  if (size > 65_536) r.fail(`${size} containers in one RoaringBitmap`);
  const keys: number[] = [];
  const cards: number[] = [];
  for (let i = 0; i < size; i++) {
    keys.push(r.u16());
    cards.push(r.u16() + 1);
    if (i > 0 && keys[i]! <= keys[i - 1]!) r.fail('container keys are not ascending');
  }
  if (!runFlags || size >= NO_OFFSET_THRESHOLD) r.skip(4 * size); // offsets: containers are read in order anyway
  const out = new Uint32Array(cards.reduce((a, b) => a + b, 0));
  let n = 0;
  for (let i = 0; i < size; i++) {
    const high = keys[i]! * 65_536;
    const isRun = runFlags !== undefined && (runFlags[i >> 3]! & (1 << (i & 7))) !== 0;
    const start = n;
    if (isRun) {
      const runs = r.u16();
      let previousEnd = -1;
      for (let j = 0; j < runs; j++) {
        const first = r.u16();
        const last = first + r.u16();
        if (first <= previousEnd || last > 0xffff) r.fail('run container runs overlap or overflow');
        previousEnd = last;
        for (let v = first; v <= last; v++) {
          if (n >= out.length) r.fail('run container holds more values than its cardinality');
          out[n++] = high + v;
        }
      }
    } else if (cards[i]! <= MAX_ARRAY_CARDINALITY) {
      for (let j = 0; j < cards[i]!; j++) {
        const v = r.u16();
        if (j > 0 && high + v <= out[n - 1]!) r.fail('array container values are not ascending');
        out[n++] = high + v;
      }
    } else {
      const words = r.bytes(BITMAP_CONTAINER_BYTES);
      for (let byte = 0; byte < BITMAP_CONTAINER_BYTES; byte++) {
        const bits = words[byte]!;
        if (bits === 0) continue;
        for (let bit = 0; bit < 8; bit++) {
          if ((bits & (1 << bit)) === 0) continue;
          if (n >= out.length) r.fail('bitmap container holds more values than its cardinality');
          out[n++] = high + byte * 8 + bit;
        }
      }
    }
    if (n - start !== cards[i]) r.fail(`container ${i} holds ${n - start} values but declares ${cards[i]}`);
  }
  return out;
}

/** Bounds-checked reads (RoaringBitmap data is little-endian); running off the end is CORRUPT_LOG. */
class ByteReader {
  position = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.position, true);
    this.position += 2;
    return v;
  }

  u32(littleEndian: boolean): number {
    this.need(4);
    const v = this.view.getUint32(this.position, littleEndian);
    this.position += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.position, true);
    this.position += 8;
    if (v > BigInt(MAX_HIGH_KEY)) this.fail(`bucket count ${v} is implausible`);
    return Number(v);
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.position, this.position + n);
    this.position += n;
    return out;
  }

  skip(n: number): void {
    this.need(n);
    this.position += n;
  }

  fail(what: string): never {
    throw corruptLog('deletion vector', `${what} (at byte ${this.position} of ${this.buf.length})`);
  }

  private need(n: number): void {
    if (this.position + n > this.buf.length) this.fail(`bitmap ends early: ${n} more bytes needed`);
  }
}
