import { invalidArgument } from '../errors.js';
import { parseInterval } from './table-config.js';

/*
 * Table properties are validated when they are set (create, or a write's `properties`), as
 * Spark validates them (DeltaConfigs.validateConfigurations): a bad value refused then costs
 * nothing, while one accepted is read after every later commit (checkpoint interval, log
 * retention) where failing helps nobody. Keys of properties we know are matched
 * case-insensitively and stored in their canonical case (Spark does the same), so
 * `delta.appendonly` is not silently a different, ignored property. Unknown keys pass unchanged:
 * other engines define more of them.
 */

type Kind =
  | { kind: 'boolean' }
  | { kind: 'integer'; min: number; example: string }
  | { kind: 'interval'; example: string }
  | { kind: 'enum'; values: readonly string[] };

const BOOLEAN: Kind = { kind: 'boolean' };

const KNOWN: Readonly<Record<string, Kind>> = {
  'delta.appendOnly': BOOLEAN,
  'delta.enableChangeDataFeed': BOOLEAN,
  'delta.enableDeletionVectors': BOOLEAN,
  'delta.enableRowTracking': BOOLEAN,
  'delta.enableInCommitTimestamps': BOOLEAN,
  'delta.enableTypeWidening': BOOLEAN,
  'delta.enableExpiredLogCleanup': BOOLEAN,
  'delta.enableIcebergCompatV1': BOOLEAN,
  'delta.enableIcebergCompatV2': BOOLEAN,
  'delta.checkpoint.writeStatsAsJson': BOOLEAN,
  'delta.checkpoint.writeStatsAsStruct': BOOLEAN,
  'delta.randomizeFilePrefixes': BOOLEAN,
  'delta.checkpointInterval': { kind: 'integer', min: 1, example: '10' },
  'delta.dataSkippingNumIndexedCols': { kind: 'integer', min: -1, example: '32 (or -1 for every column)' },
  'delta.logRetentionDuration': { kind: 'interval', example: 'interval 30 days' },
  'delta.deletedFileRetentionDuration': { kind: 'interval', example: 'interval 1 week' },
  'delta.checkpointRetentionDuration': { kind: 'interval', example: 'interval 2 days' },
  'delta.setTransactionRetentionDuration': { kind: 'interval', example: 'interval 7 days' },
  'delta.checkpointPolicy': { kind: 'enum', values: ['classic', 'v2'] },
  'delta.columnMapping.mode': { kind: 'enum', values: ['none', 'name', 'id'] },
  'delta.isolationLevel': { kind: 'enum', values: ['Serializable', 'WriteSerializable'] },
};

const CANONICAL = new Map(Object.keys(KNOWN).map((k) => [k.toLowerCase(), k] as const));

/**
 * Validates table properties being set and returns them with known keys in canonical case and
 * booleans as `true`/`false`. INVALID_ARGUMENT naming the property, its value and what is allowed.
 */
export function validateTableProperties(properties: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawKey, value] of Object.entries(properties)) {
    const key = CANONICAL.get(rawKey.toLowerCase()) ?? rawKey;
    if (typeof value !== 'string') {
      throw invalidArgument(`table property ${rawKey} is ${typeof value}, not a string`, `write it as a string, e.g. { "${key}": "${String(value)}" }`);
    }
    if (key !== rawKey && Object.hasOwn(properties, key)) {
      throw invalidArgument(`table properties ${rawKey} and ${key} are the same property`, `set only "${key}"`);
    }
    const kind = KNOWN[key];
    out[key] = kind ? checkValue(key, value, kind) : value;
  }
  return out;
}

function checkValue(key: string, value: string, kind: Kind): string {
  const refuse = (allowed: string, example: string): never => {
    throw invalidArgument(`table property ${key}=${JSON.stringify(value)} is not valid: it must be ${allowed}`, `set it like { "${key}": "${example}" }, or leave it out for the default`);
  };
  const v = value.trim();
  switch (kind.kind) {
    case 'boolean': {
      const b = v.toLowerCase();
      return b === 'true' || b === 'false' ? b : refuse('true or false', 'true');
    }
    case 'integer': {
      const n = Number(v);
      // Spark parses these with toInt: digits only, no fraction or exponent.
      return /^[+-]?\d+$/.test(v) && Number.isSafeInteger(n) && n >= kind.min && n <= 2 ** 31 - 1
        ? String(n) : refuse(kind.min === 1 ? 'a positive integer' : `an integer >= ${kind.min}`, kind.example.split(' ')[0]!);
    }
    case 'interval': {
      let ms: number;
      try {
        ms = parseInterval(v);
      } catch {
        return refuse('an interval such as "interval 7 days" (weeks, days, hours, minutes, seconds; no months or years)', kind.example);
      }
      return ms >= 0 ? value : refuse('a non-negative interval', kind.example);
    }
    case 'enum':
      return kind.values.find((x) => x.toLowerCase() === v.toLowerCase()) ?? refuse(`one of ${kind.values.join(', ')}`, kind.values[0]!);
  }
}
