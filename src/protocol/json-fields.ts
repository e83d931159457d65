import { corruptLog } from '../errors.js';

/** A JSON object as parsed from the log (or a checkpoint row made plain). */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * Typed reads of one action's fields. JSON `null` counts as absent (PROTOCOL.md lets writers
 * write either); a required field that is absent or mistyped is CORRUPT_LOG naming `where` and
 * the field (`add.size`).
 */
export class FieldReader {
  constructor(
    private readonly obj: JsonObject,
    private readonly where: string,
    private readonly prefix: string,
  ) {}

  /** A reader for the nested object at `key`, or undefined when absent. */
  optObject(key: string): FieldReader | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (!isJsonObject(v)) throw this.mistyped(key, 'an object', v);
    return new FieldReader(v, this.where, `${this.prefix}.${key}`);
  }

  object(key: string): FieldReader {
    return this.optObject(key) ?? this.missing(key);
  }

  optString(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined || typeof v === 'string') return v;
    throw this.mistyped(key, 'a string', v);
  }

  string(key: string): string {
    return this.optString(key) ?? this.missing(key);
  }

  /** An integral number (longs are exact up to 2^53; bigint cells from Arrow are accepted). */
  optInteger(key: string): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    throw this.mistyped(key, 'an integer', v);
  }

  integer(key: string): number {
    return this.optInteger(key) ?? this.missing(key);
  }

  optBoolean(key: string): boolean | undefined {
    const v = this.get(key);
    if (v === undefined || typeof v === 'boolean') return v;
    throw this.mistyped(key, 'a boolean', v);
  }

  boolean(key: string): boolean {
    return this.optBoolean(key) ?? this.missing(key);
  }

  optStringArray(key: string): string[] | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw this.mistyped(key, 'an array of strings', v);
    return [...(v as string[])];
  }

  stringArray(key: string): string[] {
    return this.optStringArray(key) ?? this.missing(key);
  }

  /** A string-to-string map; null values are kept only when `nullValues` (partitionValues, tags). */
  optStringMap(key: string, nullValues: true): Record<string, string | null> | undefined;
  optStringMap(key: string, nullValues: false): Record<string, string> | undefined;
  optStringMap(key: string, nullValues: boolean): Record<string, string | null> | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (!isJsonObject(v)) throw this.mistyped(key, 'a map of strings', v);
    const entries: Array<[string, string | null]> = [];
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string') entries.push([k, x]);
      else if (x === null || x === undefined) {
        if (nullValues) entries.push([k, null]);
      } else throw this.mistyped(`${key}.${k}`, 'a string', x);
    }
    // fromEntries defines own properties: `out[k] = x` would hit the __proto__ setter and drop
    // a "__proto__" key that JSON.parse kept (checkpoint rows keep it too).
    return Object.fromEntries(entries);
  }

  stringMap(key: string, nullValues: true): Record<string, string | null>;
  stringMap(key: string, nullValues: false): Record<string, string>;
  stringMap(key: string, nullValues: boolean): Record<string, string | null> {
    return (nullValues ? this.optStringMap(key, true) : this.optStringMap(key, false)) ?? this.missing(key);
  }

  /** The raw value, with null mapped to undefined. */
  get(key: string): unknown {
    const v = Object.hasOwn(this.obj, key) ? this.obj[key] : undefined;
    return v === null ? undefined : v;
  }

  missing(key: string): never {
    throw corruptLog(this.where, `${this.prefix}.${key} is missing`);
  }

  mistyped(key: string, expected: string, got: unknown): Error {
    return corruptLog(this.where, `${this.prefix}.${key} must be ${expected}, got ${describe(got)}`);
  }
}

/** Drops undefined values, so optional fields end up absent rather than undefined. */
export function compact<T extends object>(fields: { [K in keyof T]-?: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out as T;
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}`;
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
