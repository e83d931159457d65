import { dataStorePath } from '../protocol/path-gate.js';

/**
 * Turns a log `path` (URI-encoded, relative or absolute) into the path the table's store reads:
 * relative to the table root, or an absolute location on the same store kind (shallow clones).
 * The rule is src/protocol/path-gate.ts: `..` above the root is CORRUPT_LOG, another scheme
 * UNSUPPORTED_FEATURE.
 */
export function resolveDataPath(rawPath: string, rootUri: string): string {
  return dataStorePath(rawPath, rootUri);
}
