import path from 'node:path';
import { corruptLog } from '../errors.js';
import { decodeAddPath } from '../protocol/partition-values.js';

/**
 * Turns a log `path` (URI-encoded, relative or absolute) into a '/'-separated path relative to the
 * table root. A path that escapes the root (`../`, or an absolute path/URI elsewhere) is never
 * read: it is CORRUPT_LOG, because following it would read files outside the table.
 */
export function resolveDataPath(rawPath: string, rootUri: string): string {
  // Most paths are plain relative names: nothing to decode, nothing that could escape.
  if (!NEEDS_WORK.test(rawPath)) return rawPath;
  const decoded = decodeAddPath(rawPath);
  const absolute = absoluteForm(decoded);
  if (absolute !== undefined) {
    const root = absoluteForm(rootUri) ?? rootUri;
    const prefix = root.endsWith('/') ? root : root + '/';
    if (!absolute.startsWith(prefix)) {
      throw corruptLog('_delta_log', `file path ${rawPath} points outside the table root ${rootUri}`);
    }
    return checkRelative(absolute.slice(prefix.length), rawPath, rootUri);
  }
  return checkRelative(decoded, rawPath, rootUri);
}

function checkRelative(rel: string, rawPath: string, rootUri: string): string {
  const normalized = path.posix.normalize(rel);
  if (normalized.startsWith('../') || normalized === '..' || normalized.startsWith('/')) {
    throw corruptLog('_delta_log', `file path ${rawPath} escapes the table root ${rootUri}`);
  }
  return normalized;
}

/** '%' escapes, a scheme or drive ':', an absolute '/', '.'/'..' segments, doubled slashes, backslashes. */
const NEEDS_WORK = /[%:\\]|^\/|\/\/|(^|\/)\.\.?(\/|$)/;

const KNOWN_SCHEMES = new Set(['file', 's3', 's3a', 's3n', 'gs', 'abfs', 'abfss', 'wasb', 'wasbs', 'hdfs', 'dbfs', 'http', 'https', 'r2', 'az', 'adl']);

/** `file:/x`, `file:///x` and `/x` all become `file:///x`; s3a:// becomes s3://; else undefined. */
function absoluteForm(p: string): string | undefined {
  if (p.startsWith('/')) return 'file://' + p.replace(/^\/+/, '/');
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/.exec(p);
  const scheme = m?.[1]?.toLowerCase();
  // Only known schemes: a relative file name may legitimately contain ':' after decoding.
  if (!m || scheme === undefined || !KNOWN_SCHEMES.has(scheme)) return undefined;
  const rest = m[2]!;
  if (scheme === 'file') return 'file://' + rest.replace(/^\/+/, '/');
  if (scheme === 's3a' || scheme === 's3n') return 's3:' + rest;
  return scheme + ':' + rest;
}
