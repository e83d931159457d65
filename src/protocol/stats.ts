import { JsonNumber, parseLosslessJson } from './lossless-json.js';

export { JsonNumber } from './lossless-json.js';

/**
 * Per-file statistics (PROTOCOL.md "Per-file Statistics"), parsed from `add.stats`. Keys of
 * the value maps are physical column names; nested structs nest.
 */
export interface FileStats {
  /** Physical rows in the file (deletion vectors not subtracted). */
  numRecords?: number;
  minValues?: Record<string, unknown>;
  maxValues?: Record<string, unknown>;
  nullCount?: Record<string, unknown>;
  /** False when min/max are only bounds (after DVs); absent in the JSON means true. */
  tightBounds: boolean;
}

/**
 * Parses an `add.stats` string. Stats are optional and only an optimisation, so anything
 * unusable gives undefined (whole string) or drops that part; this never throws. Numbers stay
 * exact: a bound that a double cannot hold (long beyond 2^53, decimal digits) is a JsonNumber
 * with its source text; safe integers (counts, most bounds) are plain numbers.
 */
export function parseStats(json: string | undefined): FileStats | undefined {
  if (json === undefined || json === '') return undefined;
  let raw: unknown;
  try {
    raw = parseLosslessJson(json);
  } catch {
    return undefined;
  }
  if (!isObject(raw)) return undefined;
  const stats: FileStats = { tightBounds: raw['tightBounds'] !== false };
  const n = raw['numRecords'];
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) stats.numRecords = n;
  for (const key of ['minValues', 'maxValues', 'nullCount'] as const) {
    const v = raw[key];
    if (isObject(v)) stats[key] = v;
  }
  return stats;
}

/** Spark's default `delta.dataSkippingStringPrefixLength`. */
export const STRING_PREFIX_LENGTH = 32;
/** Appended to a truncated maximum whose next character is ASCII: above every ASCII character. */
const ASCII_MAX = '\u007f';
/** Appended otherwise: the largest code point, above every character in UTF-8 byte order. */
const UTF8_MAX = '\u{10ffff}';

/**
 * A string min/max stat cut to `prefixLength` UTF-16 units, as Spark writes them: a minimum is
 * a plain prefix; a maximum is a prefix plus a tie-breaker so it stays >= the value in UTF-8
 * byte order. Surrogate pairs are never split. Undefined when no valid bound that short exists.
 */
export function truncateStringStat(value: string, isMax: boolean, prefixLength = STRING_PREFIX_LENGTH): string | undefined {
  if (value.length <= prefixLength) return value;
  if (prefixLength <= 0) return undefined;
  let end = prefixLength;
  if (isHighSurrogate(value.charCodeAt(end - 1)) && isLowSurrogate(value.charCodeAt(end))) end++;
  if (!isMax) return value.slice(0, end);
  // A following U+10FFFF cannot be topped by the tie-breaker, so keep it in the prefix.
  while (value.codePointAt(end) === 0x10ffff) end += 2;
  if (end >= value.length) return value.length <= 2 * prefixLength ? value : undefined;
  if (end > 2 * prefixLength) return undefined;
  return value.slice(0, end) + (value.charCodeAt(end) < 0x7f ? ASCII_MAX : UTF8_MAX);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}
