import { corruptLog, invalidArgument } from '../errors.js';

/** ZeroMQ Base-85 (RFC 32/Z85): 4 bytes <-> 5 characters, big-endian. */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes Z85 text (length a multiple of 5) to bytes; anything else is CORRUPT_LOG. A last
 * block starting with k `#` characters (which no full block can: 85^5 > 2^32) is a tail of
 * 4 - k bytes, as the Rust z85 crate writes short inputs; Spark instead zero-pads to full blocks.
 */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) throw corruptLog('deletion vector', `Z85 text of length ${text.length} is not a multiple of 5`);
  const blocks = text.length / 5;
  const tailPad = blocks > 0 ? /^#{1,3}/.exec(text.slice(-5))?.[0].length ?? 0 : 0;
  const out = new Uint8Array(blocks * 4 - tailPad);
  for (let block = 0; block < blocks; block++) {
    const isTail = block === blocks - 1 && tailPad > 0;
    const chars = text.slice(block * 5 + (isTail ? tailPad : 0), block * 5 + 5);
    let value = 0;
    for (const ch of chars) {
      const code = ch.charCodeAt(0);
      const digit = code < 128 ? DECODE[code]! : -1;
      if (digit < 0) throw corruptLog('deletion vector', `"${ch}" is not a Z85 character`);
      value = value * 85 + digit;
    }
    const width = isTail ? 4 - tailPad : 4;
    if (value >= 2 ** (8 * width)) throw corruptLog('deletion vector', `Z85 block "${text.slice(block * 5, block * 5 + 5)}" overflows ${8 * width} bits`);
    for (let i = width - 1; i >= 0; i--) {
      out[block * 4 + i] = value % 256;
      value = Math.floor(value / 256);
    }
  }
  return out;
}

/**
 * Encodes bytes as Z85. Input is zero-padded to a multiple of 4 (as Delta pads inline DVs; the
 * descriptor's sizeInBytes records the real length).
 */
export function z85Encode(bytes: Uint8Array): string {
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  let out = '';
  for (let offset = 0; offset < padded.length; offset += 4) {
    let value = view.getUint32(offset);
    const block: string[] = [];
    for (let i = 0; i < 5; i++) {
      block.unshift(ALPHABET[value % 85]!);
      value = Math.floor(value / 85);
    }
    out += block.join('');
  }
  return out;
}

/** The canonical text (8-4-4-4-12 lowercase hex) of a UUID encoded as 20 Z85 characters. */
export function z85ToUuid(text: string): string {
  if (text.length !== 20) throw invalidArgument(`a Z85 UUID has 20 characters, got ${text.length}`);
  const hex = Array.from(z85Decode(text), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
