import { corruptLog, invalidArgument } from '../errors.js';
import { formatDate, formatMicros, formatMicrosSpark, parseDateTime } from './datetime.js';
import { formatDecimal, formatFloat, parseDecimal } from './numbers.js';
import { decimalParts, type DeltaType } from './schema.js';

export {
  decodeAddPath, encodeAddPath, escapePartitionPathSegment, HIVE_DEFAULT_PARTITION, partitionDirectory,
  unescapePartitionPathSegment,
} from './partition-paths.js';

/**
 * A typed partition value, ready for an Arrow column: number (byte/short/integer/float/double,
 * date as days since epoch), bigint (long; timestamps as epoch micros; decimals unscaled),
 * boolean, string, Uint8Array (binary), or null.
 */
export type PartitionValue = number | bigint | boolean | string | Uint8Array | null;

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  byte: [-128, 127], short: [-32_768, 32_767], integer: [-2_147_483_648, 2_147_483_647],
};

/**
 * Parses a `partitionValues` string (PROTOCOL.md "Partition Value Serialization"). Null, absent
 * and "" all mean null, for every type (Spark writes an empty string partition as null). A value
 * that does not parse as its column type is CORRUPT_LOG.
 *
 * Timestamps: values with `Z` or an offset are exact. A value without a zone (the legacy
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` form, written in the writer's unknown session zone) is read
 * as UTC: every engine then prunes the same way, and UTC is what Spark's default container zone
 * and delta-rs use. `timestamp_ntz` values are wall-clock readings; a zone on them is ignored.
 */
export function parsePartitionValue(raw: string | null | undefined, type: DeltaType, _opts: { timeZone?: 'UTC' } = {}): PartitionValue {
  if (raw === null || raw === undefined || raw === '') return null;
  if (typeof type !== 'string') throw invalidArgument(`a ${type.type} column cannot be a partition column`);
  const bad = (): Error => corruptLog('partitionValues', `"${raw}" is not a valid ${type} partition value`);
  switch (type) {
    case 'string': return raw;
    case 'byte': case 'short': case 'integer': {
      const [min, max] = INT_RANGES[type]!;
      if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw bad();
      const n = Number(raw);
      if (n < min || n > max) throw bad();
      return n;
    }
    case 'long': {
      if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw bad();
      const n = BigInt(raw.trim());
      if (n !== BigInt.asIntN(64, n)) throw bad();
      return n;
    }
    case 'float': case 'double': {
      const n = parseFloatText(raw);
      if (n === undefined) throw bad();
      return type === 'float' ? Math.fround(n) : n;
    }
    case 'boolean': {
      const t = raw.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw bad();
    }
    case 'binary': return new TextEncoder().encode(raw);
    case 'date': {
      const parsed = parseDateTime(raw);
      if (!parsed) throw bad();
      return Number(parsed.wallMicros / 86_400_000_000n) - (parsed.wallMicros % 86_400_000_000n < 0n ? 1 : 0);
    }
    case 'timestamp': case 'timestamp_ntz': {
      const parsed = parseDateTime(raw);
      if (!parsed) throw bad();
      if (type === 'timestamp_ntz' || parsed.offsetMinutes === undefined) return parsed.wallMicros;
      return parsed.wallMicros - BigInt(parsed.offsetMinutes) * 60_000_000n;
    }
    case 'void': return null;
    case 'variant': throw invalidArgument('a variant column cannot be a partition column');
  }
  const dec = decimalParts(type);
  const unscaled = dec && parseDecimal(raw, dec.precision, dec.scale);
  if (unscaled === undefined) throw bad();
  return unscaled;
}

/**
 * The `partitionValues` string a writer records for a value of a column of `type` (the inverse
 * of parsePartitionValue): timestamps as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, timestamp_ntz as Spark
 * casts it (`YYYY-MM-DD HH:MM:SS[.ffffff]`), dates `YYYY-MM-DD`, floats as Spark prints them
 * (`1.0`, `1.0E10`, `NaN`), decimals in plain notation with `scale` digits. Null and "" give null.
 */
export function serializePartitionValue(value: unknown, type: DeltaType): string | null {
  if (value === null || value === undefined) return null;
  if (typeof type !== 'string') throw invalidArgument(`a ${type.type} column cannot be a partition column`);
  const bad = (): Error => invalidArgument(`${describe(value)} is not a valid value for a ${type} partition column`);
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw bad();
      return value === '' ? null : value;
    case 'byte': case 'short': case 'integer': case 'long': {
      const n = toBigInt(value);
      if (n === undefined) throw bad();
      const [min, max] = type === 'long' ? [-(2n ** 63n), 2n ** 63n - 1n] : INT_RANGES[type]!.map(BigInt) as [bigint, bigint];
      if (n < min || n > max) throw bad();
      return n.toString();
    }
    case 'float': case 'double':
      if (typeof value !== 'number') throw bad();
      return formatFloat(value, type === 'float');
    case 'boolean':
      if (typeof value !== 'boolean') throw bad();
      return String(value);
    case 'binary':
      if (!(value instanceof Uint8Array)) throw bad();
      try {
        // Spark writes binary partition values as their UTF-8 text; other bytes have no faithful form.
        return new TextDecoder('utf-8', { fatal: true }).decode(value);
      } catch {
        throw invalidArgument('a binary partition value must be valid UTF-8 to be written to partitionValues');
      }
    case 'date': {
      const days = value instanceof Date ? Math.floor(value.getTime() / 86_400_000) : typeof value === 'number' && Number.isInteger(value) ? value : undefined;
      if (days === undefined) throw bad();
      return formatDate(days);
    }
    case 'timestamp': case 'timestamp_ntz': {
      const micros = value instanceof Date ? BigInt(value.getTime()) * 1000n : toBigInt(value);
      if (micros === undefined) throw bad();
      return type === 'timestamp' ? `${formatMicros(micros)}Z` : formatMicrosSpark(micros);
    }
    case 'void': case 'variant': throw invalidArgument(`a ${type} column cannot be a partition column`);
  }
  const dec = decimalParts(type);
  const unscaled = toBigInt(value);
  if (!dec || unscaled === undefined || unscaled.toString().replace('-', '').length > dec.precision) throw bad();
  return formatDecimal(unscaled, dec.scale);
}

function parseFloatText(raw: string): number | undefined {
  const t = raw.trim();
  if (/^[+-]?(nan)$/i.test(t)) return NaN;
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(t)) return undefined;
  return Number(t.replace(/[dDfF]$/, ''));
}

function toBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v);
}
