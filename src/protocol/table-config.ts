import { invalidArgument } from '../errors.js';

/*
 * Table properties with their defaults (Spark DeltaConfig.scala; PROTOCOL-NOTES §12.4).
 * A malformed value is INVALID_ARGUMENT naming the property: silently falling back to a default
 * could make VACUUM delete files a user meant to keep.
 */

const UNIT_MS: ReadonlyArray<[RegExp, number]> = [
  [/^weeks?$/, 7 * 86_400_000],
  [/^days?$/, 86_400_000],
  [/^hours?$/, 3_600_000],
  [/^minutes?$/, 60_000],
  [/^seconds?$/, 1000],
  [/^milliseconds?$/, 1],
  [/^microseconds?$/, 0.001],
];

/**
 * Milliseconds of a Spark calendar interval such as `interval 7 days` or `interval 1 day 12
 * hours` (the `interval` keyword is optional; units are case-insensitive, singular or plural).
 * Months and years have no fixed length and are rejected, as Delta rejects them.
 */
export function parseInterval(text: string): number {
  const bad = (why: string): Error => invalidArgument(`"${text}" is not a valid interval: ${why}`, 'write it like "interval 7 days" (units: weeks, days, hours, minutes, seconds, milliseconds, microseconds)');
  const tokens = text.trim().toLowerCase().split(/\s+/);
  if (tokens[0] === 'interval') tokens.shift();
  if (tokens.length === 0 || tokens[0] === '' || tokens.length % 2 !== 0) throw bad('expected pairs of <number> <unit>');
  let total = 0;
  for (let i = 0; i < tokens.length; i += 2) {
    const amount = tokens[i]!;
    const unit = tokens[i + 1]!;
    if (/^(months?|years?)$/.test(unit)) throw bad(`${unit} have no fixed length`);
    const ms = UNIT_MS.find(([re]) => re.test(unit))?.[1];
    if (ms === undefined) throw bad(`unknown unit "${unit}"`);
    // Fractions only make sense for seconds (Spark accepts `1.5 seconds`).
    const pattern = ms === 1000 ? /^[+-]?\d+(\.\d+)?$/ : /^[+-]?\d+$/;
    if (!pattern.test(amount)) throw bad(`"${amount}" is not a valid amount of ${unit}`);
    total += Number(amount) * ms;
  }
  return total;
}

/** `delta.checkpointInterval`: commits between checkpoints. @defaultValue 10 */
export function checkpointInterval(configuration: Readonly<Record<string, string>>): number {
  return integerProperty(configuration, 'delta.checkpointInterval', 10, 1);
}

/** `delta.logRetentionDuration` in ms: how long log entries are kept. @defaultValue 30 days */
export function logRetentionMs(configuration: Readonly<Record<string, string>>): number {
  return intervalProperty(configuration, 'delta.logRetentionDuration', 'interval 30 days');
}

/** `delta.deletedFileRetentionDuration` in ms: tombstone lifetime, VACUUM's minimum age. @defaultValue 1 week */
export function deletedFileRetentionMs(configuration: Readonly<Record<string, string>>): number {
  return intervalProperty(configuration, 'delta.deletedFileRetentionDuration', 'interval 1 week');
}

/** `delta.checkpointRetentionDuration` in ms. @defaultValue 2 days */
export function checkpointRetentionMs(configuration: Readonly<Record<string, string>>): number {
  return intervalProperty(configuration, 'delta.checkpointRetentionDuration', 'interval 2 days');
}

/** `delta.setTransactionRetentionDuration` in ms, or undefined: txn entries never expire. */
export function setTransactionRetentionMs(configuration: Readonly<Record<string, string>>): number | undefined {
  const raw = configuration['delta.setTransactionRetentionDuration'];
  return raw === undefined ? undefined : intervalProperty(configuration, 'delta.setTransactionRetentionDuration', raw);
}

/** `delta.enableExpiredLogCleanup`: clean up expired log files after a checkpoint. @defaultValue true */
export function enableExpiredLogCleanup(configuration: Readonly<Record<string, string>>): boolean {
  return booleanProperty(configuration, 'delta.enableExpiredLogCleanup', true);
}

/** `delta.appendOnly`: the table refuses removes and updates. @defaultValue false */
export function appendOnly(configuration: Readonly<Record<string, string>>): boolean {
  return booleanProperty(configuration, 'delta.appendOnly', false);
}

/** `delta.dataSkippingNumIndexedCols`: leaf columns with stats, -1 for all. @defaultValue 32 */
export function dataSkippingNumIndexedCols(configuration: Readonly<Record<string, string>>): number {
  return integerProperty(configuration, 'delta.dataSkippingNumIndexedCols', 32, -1);
}

function intervalProperty(configuration: Readonly<Record<string, string>>, key: string, fallback: string): number {
  const raw = configuration[key] ?? fallback;
  let ms: number;
  try {
    ms = parseInterval(raw);
  } catch {
    throw invalidArgument(`table property ${key}=${raw} is not a valid interval`, `set it like "interval 7 days", or unset it for the default (${fallback})`);
  }
  if (ms < 0) throw invalidArgument(`table property ${key}=${raw} is negative`, `set a non-negative interval, or unset it for the default (${fallback})`);
  return ms;
}

function integerProperty(configuration: Readonly<Record<string, string>>, key: string, fallback: number, min: number): number {
  const raw = configuration[key];
  if (raw === undefined) return fallback;
  const v = Number(raw.trim());
  if (raw.trim() === '' || !Number.isSafeInteger(v) || v < min) {
    throw invalidArgument(`table property ${key}=${raw} must be an integer >= ${min}`, `fix it, or unset it for the default (${fallback})`);
  }
  return v;
}

function booleanProperty(configuration: Readonly<Record<string, string>>, key: string, fallback: boolean): boolean {
  const raw = configuration[key];
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalidArgument(`table property ${key}=${raw} must be true or false`, `fix it, or unset it for the default (${fallback})`);
}

/** `delta.enableChangeDataFeed`: whether writers must record row-level changes. @defaultValue false */
export function changeDataFeedEnabled(configuration: Readonly<Record<string, string>>): boolean {
  return configuration['delta.enableChangeDataFeed']?.trim().toLowerCase() === 'true';
}
