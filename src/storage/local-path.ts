import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument } from '../errors.js';

/** The absolute directory a local path or `file://` URI names (Node only: it resolves against the cwd). */
export function localRoot(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : path.resolve(uri);
}

/**
 * A table root is a directory: a path naming a file (or under one) is a mistake, not a storage
 * failure. A synchronous stat (microseconds on a local disk), as every write opens its store:
 * through the thread pool it was a round trip of its own on each small append.
 */
export async function refuseFileAsRoot(root: string, uri: string): Promise<void> {
  let what: string | undefined;
  try {
    if (statSync(root).isFile()) what = 'is a file';
  } catch (err) {
    // Absent is fine (a new table); ENOTDIR means a parent of the root is a file.
    if ((err as { code?: unknown }).code === 'ENOTDIR') what = 'is inside a file';
  }
  if (what !== undefined) {
    throw invalidArgument(`${uri} ${what}, not a table directory`, 'pass the table\'s folder (the one that holds _delta_log), not a file or a path inside a file');
  }
}
