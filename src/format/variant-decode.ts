import { bytesToBase64, bytesToHex } from './byte-text.js';
import { DeltaError } from '../errors.js';

/*
 * The Parquet Variant binary encoding (parquet-format VariantEncoding.md), decoded to plain JS.
 *
 *   metadata  header (bits 0-3 version = 1, bit 4 sorted, bits 6-7 offset size - 1),
 *             dictionary size, size + 1 offsets, then the UTF-8 key bytes
 *   value     header byte: bits 0-1 basic type, bits 2-7 type-specific
 *             0 primitive (type id), 1 short string (length), 2 object, 3 array
 * Every integer is little-endian except the UUID, which is big-endian.
 */

/** A decoded variant: JSON values, plus bigint for int64 values beyond 2^53. */
export type VariantValue = null | boolean | number | bigint | string | VariantValue[] | { [key: string]: VariantValue };

/**
 * Decodes one variant (its `metadata` and `value` binaries) to a JSON-compatible value. Objects
 * and arrays become plain objects and arrays; int8..int32, float and double become numbers;
 * int64 a number when exact, else a bigint; decimals exact strings (`"12.50"`); dates
 * `YYYY-MM-DD`; timestamps ISO-8601 (`Z` when UTC-adjusted, micro- or nanosecond digits); times
 * `HH:MM:SS.ffffff`; binary base64; UUIDs their canonical text. Malformed bytes are INVALID_ARGUMENT.
 */
export function decodeVariant(metadata: Uint8Array, value: Uint8Array): VariantValue {
  const dict = readDictionary(metadata);
  return readValue(value, 0, value.length, dict, 0);
}

const MAX_DEPTH = 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function bad(what: string): never {
  throw new DeltaError('INVALID_ARGUMENT', `not a valid variant: ${what}`, {
    hint: 'pass the metadata and value binaries of one row of a variant column, as read from the table',
  });
}

function uint(bytes: Uint8Array, at: number, size: number): number {
  if (at + size > bytes.length || at < 0) bad(`a ${size}-byte integer at ${at} runs past the end (${bytes.length} bytes)`);
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[at + i]!;
  return v;
}

function view(bytes: Uint8Array, at: number, size: number): DataView {
  if (at + size > bytes.length) bad(`a ${size}-byte value at ${at} runs past the end (${bytes.length} bytes)`);
  return new DataView(bytes.buffer, bytes.byteOffset + at, size);
}

function text(bytes: Uint8Array, start: number, end: number): string {
  if (end > bytes.length || start > end) bad(`a string at ${start}..${end} runs past the end (${bytes.length} bytes)`);
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    return bad(`the string at ${start} is not UTF-8`);
  }
}

function readDictionary(metadata: Uint8Array): string[] {
  if (metadata.length < 1) bad('the metadata is empty');
  const header = metadata[0]!;
  if ((header & 0x0f) !== 1) bad(`metadata version ${header & 0x0f}, expected 1`);
  const offsetSize = ((header >> 6) & 0x03) + 1;
  const size = uint(metadata, 1, offsetSize);
  const offsetsAt = 1 + offsetSize;
  const stringsAt = offsetsAt + (size + 1) * offsetSize;
  if (stringsAt > metadata.length) bad(`a dictionary of ${size} keys does not fit in ${metadata.length} metadata bytes`);
  const keys: string[] = [];
  let start = uint(metadata, offsetsAt, offsetSize);
  for (let i = 1; i <= size; i++) {
    const end = uint(metadata, offsetsAt + i * offsetSize, offsetSize);
    keys.push(text(metadata, stringsAt + start, stringsAt + end));
    start = end;
  }
  return keys;
}

function readValue(bytes: Uint8Array, at: number, end: number, dict: readonly string[], depth: number): VariantValue {
  if (at >= end || end > bytes.length) bad(`a value at ${at} is outside its ${end}-byte container`);
  if (depth > MAX_DEPTH) bad(`nesting deeper than ${MAX_DEPTH} levels`);
  const header = bytes[at]!;
  const basic = header & 0x03;
  const info = header >> 2;
  if (basic === 0) return readPrimitive(bytes, at + 1, info);
  if (basic === 1) return text(bytes, at + 1, at + 1 + info);
  if (basic === 2) {
    const offsetSize = (info & 0x03) + 1;
    const idSize = ((info >> 2) & 0x03) + 1;
    const countSize = info & 0x10 ? 4 : 1;
    const n = uint(bytes, at + 1, countSize);
    const idsAt = at + 1 + countSize;
    const offsetsAt = idsAt + n * idSize;
    const valuesAt = offsetsAt + (n + 1) * offsetSize;
    if (valuesAt > end) bad(`an object of ${n} fields does not fit in its container`);
    const entries: Array<[string, VariantValue]> = [];
    for (let i = 0; i < n; i++) {
      const id = uint(bytes, idsAt + i * idSize, idSize);
      if (id >= dict.length) bad(`field id ${id} is not in the ${dict.length}-key dictionary`);
      const offset = uint(bytes, offsetsAt + i * offsetSize, offsetSize);
      entries.push([dict[id]!, readValue(bytes, valuesAt + offset, end, dict, depth + 1)]);
    }
    // fromEntries defines own properties, so a "__proto__" key is a key like any other.
    return Object.fromEntries(entries) as { [key: string]: VariantValue };
  }
  const offsetSize = (info & 0x03) + 1;
  const countSize = info & 0x04 ? 4 : 1;
  const n = uint(bytes, at + 1, countSize);
  const offsetsAt = at + 1 + countSize;
  const valuesAt = offsetsAt + (n + 1) * offsetSize;
  if (valuesAt > end) bad(`an array of ${n} elements does not fit in its container`);
  const out: VariantValue[] = [];
  for (let i = 0; i < n; i++) out.push(readValue(bytes, valuesAt + uint(bytes, offsetsAt + i * offsetSize, offsetSize), end, dict, depth + 1));
  return out;
}

function readPrimitive(bytes: Uint8Array, at: number, typeId: number): VariantValue {
  switch (typeId) {
    case 0: return null;
    case 1: return true;
    case 2: return false;
    case 3: return view(bytes, at, 1).getInt8(0);
    case 4: return view(bytes, at, 2).getInt16(0, true);
    case 5: return view(bytes, at, 4).getInt32(0, true);
    case 6: return exactNumber(view(bytes, at, 8).getBigInt64(0, true));
    case 7: return view(bytes, at, 8).getFloat64(0, true);
    case 8: return decimalText(BigInt(view(bytes, at + 1, 4).getInt32(0, true)), uint(bytes, at, 1));
    case 9: return decimalText(view(bytes, at + 1, 8).getBigInt64(0, true), uint(bytes, at, 1));
    case 10: {
      const v = view(bytes, at + 1, 16);
      return decimalText((v.getBigInt64(8, true) << 64n) | v.getBigUint64(0, true), uint(bytes, at, 1));
    }
    case 11: return new Date(view(bytes, at, 4).getInt32(0, true) * 86_400_000).toISOString().slice(0, 10);
    case 12: return timestampText(view(bytes, at, 8).getBigInt64(0, true), 1_000_000n, true);
    case 13: return timestampText(view(bytes, at, 8).getBigInt64(0, true), 1_000_000n, false);
    case 14: return view(bytes, at, 4).getFloat32(0, true);
    case 15: {
      const n = uint(bytes, at, 4);
      if (at + 4 + n > bytes.length) bad(`binary of ${n} bytes at ${at} runs past the end`);
      return bytesToBase64(bytes.subarray(at + 4, at + 4 + n));
    }
    case 16: {
      const n = uint(bytes, at, 4);
      return text(bytes, at + 4, at + 4 + n);
    }
    case 17: return timeText(view(bytes, at, 8).getBigInt64(0, true));
    case 18: return timestampText(view(bytes, at, 8).getBigInt64(0, true), 1_000_000_000n, true);
    case 19: return timestampText(view(bytes, at, 8).getBigInt64(0, true), 1_000_000_000n, false);
    case 20: {
      if (at + 16 > bytes.length) bad(`a UUID at ${at} runs past the end`);
      const hex = bytesToHex(bytes.subarray(at, at + 16));
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    default: return bad(`unknown primitive type id ${typeId}`);
  }
}

function exactNumber(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function decimalText(unscaled: bigint, scale: number): string {
  if (scale > 38) bad(`decimal scale ${scale} exceeds 38`);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${body}` : body;
}

/** `units` per second since the epoch as ISO-8601 with every sub-second digit of the unit. */
function timestampText(v: bigint, unitsPerSecond: bigint, utc: boolean): string {
  const seconds = v >= 0n ? v / unitsPerSecond : -((-v + unitsPerSecond - 1n) / unitsPerSecond);
  const fraction = v - seconds * unitsPerSecond;
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) bad(`timestamp ${v} is outside the representable range`);
  const base = new Date(ms).toISOString().slice(0, 19);
  const width = unitsPerSecond === 1_000_000n ? 6 : 9;
  return `${base}.${fraction.toString().padStart(width, '0')}${utc ? 'Z' : ''}`;
}

function timeText(micros: bigint): string {
  if (micros < 0n || micros >= 86_400_000_000n) bad(`time of day ${micros} µs is outside one day`);
  const s = micros / 1_000_000n;
  const two = (n: bigint): string => n.toString().padStart(2, '0');
  return `${two(s / 3600n)}:${two((s / 60n) % 60n)}:${two(s % 60n)}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
}
