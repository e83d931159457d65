/*
 * Byte <-> text helpers that run in Node and in browsers. Node's Buffer is used when it is there
 * (native and fast on million-file logs); elsewhere a plain-JS path gives the same results.
 */

interface NodeBufferLike {
  from(b: ArrayBufferLike, offset: number, length: number): { toString(encoding: string): string };
  compare(a: Uint8Array, b: Uint8Array): number;
}
const NodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;
const nodeIsAscii = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  ?.getBuiltinModule?.('node:buffer') as { isAscii?: (b: Uint8Array) => boolean } | undefined;

const utf8 = new TextEncoder();

/** The UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** True when every byte is below 0x80. */
export function isAsciiBytes(bytes: Uint8Array): boolean {
  if (nodeIsAscii?.isAscii) return nodeIsAscii.isAscii(bytes);
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/** The bytes as one string of char codes 0-255 (the text itself when they are ASCII). */
export function latin1String(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  let out = '';
  const CHUNK = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode(...bytes.subarray(i, Math.min(i + CHUNK, bytes.length)));
  }
  return out;
}

/** Lowercase hex of the bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

/** Standard base64 (with padding) of the bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
  return btoa(latin1String(bytes));
}

/** Unsigned lexicographic byte order: negative, zero or positive, as Buffer.compare. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (NodeBuffer) return NodeBuffer.compare(a, b);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
