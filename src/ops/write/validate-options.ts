import { invalidArgument } from '../../errors.js';
import { checkOptions, requireOption, show, type OptionRule, type OptionRules } from './option-rules.js';

/*
 * The one place where the options of every public call are checked (writeDeltaTable,
 * DeltaTable.create/open/scan/toArrow/history/changes/vacuum/restore, readStream, writeStream),
 * before anything is read or written. The operations themselves trust these shapes.
 */

const nonNegativeInteger: OptionRule = { kind: 'integer', min: 0 };
const positiveInteger: OptionRule = { kind: 'integer', min: 1 };

export const WRITE_MODES = ['error', 'append', 'overwrite', 'ignore'] as const;
export const SCHEMA_MODES = ['merge', 'overwrite'] as const;
/** Codecs parquet-wasm writes and every Delta reader reads (lz4 is written as LZ4_RAW). */
export const COMPRESSIONS = ['snappy', 'zstd', 'gzip', 'lz4', 'uncompressed'] as const;

const TABLE_SHAPE: OptionRules = {
  partitionBy: { kind: 'strings' },
  properties: { kind: 'properties' },
  name: { kind: 'string' },
  description: { kind: 'string' },
  storage: { kind: 'object' },
  now: { kind: 'function' },
};

const WRITE: OptionRules = {
  ...TABLE_SHAPE,
  mode: { kind: 'enum', values: WRITE_MODES },
  schemaMode: { kind: 'enum', values: SCHEMA_MODES },
  predicate: { kind: 'filter' },
  appTransaction: { kind: 'object' },
  targetFileSizeBytes: positiveInteger,
  compression: { kind: 'enum', values: COMPRESSIONS },
  userMetadata: { kind: 'string' },
  operation: { kind: 'object' },
  backgroundMaintenance: { kind: 'function' },
};

const CREATE: OptionRules = { ...TABLE_SHAPE, schema: { kind: 'object' } };

const OPEN: OptionRules = { version: nonNegativeInteger, timestamp: { kind: 'timestamp' }, storage: { kind: 'object' } };

const SCAN: OptionRules = { columns: { kind: 'strings' }, filter: { kind: 'filter' } };

const VACUUM: OptionRules = {
  retentionHours: { kind: 'number', min: 0 },
  dryRun: { kind: 'boolean' },
  enforceRetention: { kind: 'boolean' },
  concurrency: positiveInteger,
  onProgress: { kind: 'function' },
  now: { kind: 'function' },
};

const RESTORE: OptionRules = { version: nonNegativeInteger, timestamp: { kind: 'timestamp' } };

const HISTORY: OptionRules = { limit: nonNegativeInteger };

const CHANGES: OptionRules = { startingVersion: nonNegativeInteger, endingVersion: nonNegativeInteger };

const READ_STREAM: OptionRules = {
  startingVersion: { kind: 'either', rules: [nonNegativeInteger, { kind: 'enum', values: ['latest'] }] },
  startingTimestamp: { kind: 'timestamp' },
  maxFilesPerTrigger: positiveInteger,
  maxBytesPerTrigger: { kind: 'number', min: 0, aboveMin: true },
  ignoreDeletes: { kind: 'boolean' },
  skipChangeCommits: { kind: 'boolean' },
  readChangeFeed: { kind: 'boolean' },
  checkpointLocation: { kind: 'nonEmptyString' },
  pollIntervalMs: { kind: 'number', min: 0, aboveMin: true },
  fileNotifications: { kind: 'boolean' },
  signal: { kind: 'object' },
  availableNow: { kind: 'boolean' },
  storage: { kind: 'object' },
};

const WRITE_STREAM: OptionRules = {
  appId: { kind: 'nonEmptyString' },
  outputMode: { kind: 'enum', values: ['append', 'complete'] },
  partitionBy: { kind: 'strings' },
  schemaMode: { kind: 'enum', values: SCHEMA_MODES },
  properties: { kind: 'properties' },
  storage: { kind: 'object' },
  autoCompact: { kind: 'either', rules: [{ kind: 'boolean' }, { kind: 'object' }] },
};

/** Checks writeDeltaTable options (also the stream sink's, which go through the same write). */
export function validateWriteOptions(opts: unknown): void {
  checkOptions('writeDeltaTable', opts, WRITE);
  const app = (opts as { appTransaction?: unknown } | undefined)?.appTransaction;
  if (app !== undefined) {
    checkOptions('writeDeltaTable appTransaction', app, { appId: { kind: 'nonEmptyString' }, version: nonNegativeInteger });
    requireOption('writeDeltaTable appTransaction', app, 'appId', '{ appId: "<stable name>", version: <n> }');
    requireOption('writeDeltaTable appTransaction', app, 'version', '{ appId: "<stable name>", version: <n> }');
  }
}

/** Checks DeltaTable.create options; `schema` must be an Arrow Schema. */
export function validateCreateOptions(opts: unknown): void {
  requireOption('DeltaTable.create', opts, 'schema', '{ schema: new Schema([...]) } (an apache-arrow Schema)');
  checkOptions('DeltaTable.create', opts, CREATE);
  const schema = (opts as { schema: unknown }).schema as { fields?: unknown };
  if (!Array.isArray(schema.fields)) {
    throw invalidArgument(`DeltaTable.create: option schema is ${show(schema)}, not an Arrow Schema`, 'pass an apache-arrow Schema, e.g. new Schema([new Field("id", new Int64())]) or table.schema');
  }
}

/** Checks DeltaTable.open options. */
export function validateOpenOptions(opts: unknown): void {
  checkOptions('DeltaTable.open', opts, OPEN);
  const o = opts as { version?: unknown; timestamp?: unknown } | undefined;
  if (o?.version !== undefined && o.timestamp !== undefined) throw invalidArgument('DeltaTable.open: give either version or timestamp, not both', 'drop one of the two options');
}

/** Checks scan/toArrow options (the filter's terms are checked when it is bound to the schema). */
export function validateScanOptions(opts: unknown): void {
  checkOptions('scan', opts, SCAN);
}

/** Checks vacuum options. */
export function validateVacuumOptions(opts: unknown): void {
  checkOptions('vacuum', opts, VACUUM);
}

/** Checks a restore target: exactly one of version and timestamp. */
export function validateRestoreTarget(target: unknown): void {
  checkOptions('restore', target, RESTORE);
  const t = target as { version?: unknown; timestamp?: unknown } | undefined;
  if ((t?.version === undefined) === (t?.timestamp === undefined)) {
    throw invalidArgument('restore: give exactly one of version and timestamp', 'pass { version: <n> } or { timestamp: "<ISO time>" }');
  }
}

/** Checks history options. */
export function validateHistoryOptions(opts: unknown): void {
  checkOptions('history', opts, HISTORY);
}

/** Checks changes() options. */
export function validateChangesOptions(opts: unknown): void {
  requireOption('changes', opts, 'startingVersion', '{ startingVersion: <n> }');
  checkOptions('changes', opts, CHANGES);
}

/** Checks DeltaTable.readStream options. */
export function validateReadStreamOptions(opts: unknown): void {
  checkOptions('readStream', opts, READ_STREAM);
  const o = opts as { startingVersion?: unknown; startingTimestamp?: unknown } | undefined;
  if (o?.startingVersion !== undefined && o.startingTimestamp !== undefined) throw invalidArgument('readStream: give either startingVersion or startingTimestamp, not both', 'drop one of the two options');
}

/** Checks DeltaTable.writeStream options. */
export function validateWriteStreamOptions(opts: unknown): void {
  requireOption('writeStream', opts, 'appId', '{ appId: "<stable name of this stream>" }; keep it across restarts');
  checkOptions('writeStream', opts, WRITE_STREAM);
}
