import { invalidArgument } from '../errors.js';
import type { Version } from './actions.js';

/** The log folder, relative to the table root. */
export const LOG_DIR = '_delta_log/';

/** Pointer to a recent checkpoint (PROTOCOL.md "Last Checkpoint File"). */
export const lastCheckpointPath = `${LOG_DIR}_last_checkpoint`;

/** `_delta_log/<20-digit version>.json` */
export function commitPath(version: Version): string {
  return `${LOG_DIR}${padVersion(version)}.json`;
}

/** The classic single-file checkpoint `_delta_log/<v>.checkpoint.parquet`. */
export function checkpointPath(version: Version): string {
  return `${LOG_DIR}${padVersion(version)}.checkpoint.parquet`;
}

/** The version checksum file `_delta_log/<v>.crc`. */
export function crcPath(version: Version): string {
  return `${LOG_DIR}${padVersion(version)}.crc`;
}

/** A version as the 20-digit zero-padded prefix of its log files. */
export function padVersion(version: Version): string {
  if (!Number.isSafeInteger(version) || version < 0) throw invalidArgument(`not a table version: ${version}`, 'a version is a non-negative integer');
  return String(version).padStart(20, '0');
}

/** A checkpoint file name: classic, multi-part (part of parts, 1-based) or UUID-named V2. */
export type CheckpointFileName =
  | { kind: 'checkpoint'; variant: 'classic'; version: Version }
  | { kind: 'checkpoint'; variant: 'multipart'; version: Version; part: number; parts: number }
  | { kind: 'checkpoint'; variant: 'uuid'; version: Version; uuid: string; format: 'json' | 'parquet' };

/** What a file name in `_delta_log/` is, with the version(s) it carries. */
export type LogFileName =
  | { kind: 'commit'; version: Version }
  | CheckpointFileName
  | { kind: 'crc'; version: Version }
  | { kind: 'compacted'; version: Version; startVersion: Version; endVersion: Version }
  | { kind: 'last-checkpoint' }
  | { kind: 'other' };

const V = '(\\d{20})';
const COMMIT = new RegExp(`^${V}\\.json$`);
const CLASSIC = new RegExp(`^${V}\\.checkpoint\\.parquet$`);
const MULTIPART = new RegExp(`^${V}\\.checkpoint\\.(\\d{10})\\.(\\d{10})\\.parquet$`);
const UUID = new RegExp(`^${V}\\.checkpoint\\.([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\\.(json|parquet)$`);
const CRC = new RegExp(`^${V}\\.crc$`);
const COMPACTED = new RegExp(`^${V}\\.${V}\\.compacted\\.json$`);

/**
 * Classifies a file name found in `_delta_log/` (PROTOCOL.md "Delta Log Entries"). Accepts the
 * bare name or the path with the `_delta_log/` prefix. Anything in a sub-folder (`.tmp/`,
 * `_sidecars/`, `_staged_commits/`) and any name not matching exactly is 'other'.
 */
export function parseLogFileName(name: string): LogFileName {
  const base = name.startsWith(LOG_DIR) ? name.slice(LOG_DIR.length) : name;
  if (base.includes('/')) return { kind: 'other' };
  if (base === '_last_checkpoint') return { kind: 'last-checkpoint' };
  let m: RegExpExecArray | null;
  if ((m = COMMIT.exec(base))) return withVersion(m[1]!, (version) => ({ kind: 'commit', version }));
  if ((m = CLASSIC.exec(base))) return withVersion(m[1]!, (version) => ({ kind: 'checkpoint', variant: 'classic', version }));
  if ((m = MULTIPART.exec(base))) {
    const part = Number(m[2]);
    const parts = Number(m[3]);
    if (part < 1 || part > parts) return { kind: 'other' };
    return withVersion(m[1]!, (version) => ({ kind: 'checkpoint', variant: 'multipart', version, part, parts }));
  }
  if ((m = UUID.exec(base))) {
    const uuid = m[2]!;
    const format = m[3] as 'json' | 'parquet';
    return withVersion(m[1]!, (version) => ({ kind: 'checkpoint', variant: 'uuid', version, uuid, format }));
  }
  if ((m = CRC.exec(base))) return withVersion(m[1]!, (version) => ({ kind: 'crc', version }));
  if ((m = COMPACTED.exec(base))) {
    const start = toVersion(m[1]!);
    const end = toVersion(m[2]!);
    // A compaction covers start..end with end > start (PROTOCOL.md "Log Compaction Files").
    if (start === undefined || end === undefined || end <= start) return { kind: 'other' };
    return { kind: 'compacted', version: start, startVersion: start, endVersion: end };
  }
  return { kind: 'other' };
}

function withVersion(digits: string, make: (v: Version) => LogFileName): LogFileName {
  const v = toVersion(digits);
  return v === undefined ? { kind: 'other' } : make(v);
}

/** Versions beyond 2^53 cannot be represented exactly; such names are not ours to interpret. */
function toVersion(digits: string): Version | undefined {
  const v = Number(digits);
  return Number.isSafeInteger(v) ? v : undefined;
}
