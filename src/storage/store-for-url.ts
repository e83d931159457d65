import { invalidArgument, unsupportedFeature } from '../errors.js';
import { HttpStore } from './http-store.js';
import { LocalStore } from './local-store.js';
import { localRoot, refuseFileAsRoot } from './local-path.js';
import type { ObjectStore } from './object-store.js';
import type { StorageOptions } from './storage-options.js';

export type { StorageOptions } from './storage-options.js';

/** Where a table URI points. */
export type TableLocation =
  | { kind: 'local'; root: string }
  | { kind: 's3'; bucket: string; prefix: string }
  | { kind: 'http'; url: string };

/** Parses a table URI: a local path, a `file://` URI, `s3://bucket/prefix` or an http(s):// URL. */
export function parseTableUri(uri: string): TableLocation {
  if (typeof uri !== 'string' || uri.length === 0) {
    throw invalidArgument('a table URI must be a non-empty string', 'pass a local path, file:// URI or s3://bucket/prefix');
  }
  if (uri.startsWith('s3://') || uri.startsWith('s3a://')) {
    const rest = uri.slice(uri.indexOf('://') + 3);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!bucket) throw invalidArgument(`no bucket in ${uri}`, 'write s3://bucket/prefix');
    return { kind: 's3', bucket, prefix };
  }
  if (/^https?:\/\//i.test(uri)) return { kind: 'http', url: uri.replace(/\/+$/, '') };
  // In a page served over HTTP, a relative URI names a table beside the page (there is no cwd).
  const page = (globalThis as { location?: { href?: unknown } }).location?.href;
  if (typeof page === 'string' && /^https?:/i.test(page) && !/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    return { kind: 'http', url: new URL(uri, page).href.replace(/\/+$/, '') };
  }
  if (uri.startsWith('file:')) return { kind: 'local', root: localRoot(uri) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw invalidArgument(`unsupported URI scheme in ${uri}`, 'use a local path, file://, s3:// or http(s)://');
  }
  return { kind: 'local', root: localRoot(uri) };
}

/** The ObjectStore rooted at a table URI. */
export async function storeForUri(uri: string, storage: StorageOptions = {}): Promise<ObjectStore> {
  const loc = parseTableUri(uri);
  if (loc.kind === 'local') {
    await refuseFileAsRoot(loc.root, uri);
    return new LocalStore(loc.root);
  }
  if (loc.kind === 'http') {
    return new HttpStore(loc.url, { ...(storage.httpHeaders ? { headers: storage.httpHeaders } : {}), ...(storage.fetch ? { fetch: storage.fetch } : {}) });
  }
  // Loaded lazily, so local-only users never load the AWS SDK and, in the browser build, pages
  // that read only http(s):// tables never fetch it (it is a separate chunk beside the bundle).
  let mod: typeof import('./s3-store.js');
  try {
    mod = await import('./s3-store.js');
  } catch (err) {
    throw unsupportedFeature(
      `s3:// tables need the S3 store, which could not be loaded (${uri}): ${err instanceof Error ? err.message : String(err)}`,
      'in a browser, serve the files beside deltalake.js (its chunks/ directory) as they were built; in Node, reinstall the package with its @aws-sdk/client-s3 dependency',
    );
  }
  return new mod.S3Store(loc.bucket, loc.prefix, storage);
}
