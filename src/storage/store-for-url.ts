import { invalidArgument, unsupportedFeature } from '../errors.js';
import { HttpStore } from './http-store.js';
import { LocalStore } from './local-store.js';
import { localRoot, refuseFileAsRoot } from './local-path.js';
import type { ObjectStore } from './object-store.js';

/** S3 settings; anything unset falls back to the standard AWS environment and credential chain. */
export interface StorageOptions {
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** @defaultValue true when a custom endpoint is given, else false */
  forcePathStyle?: boolean;
  /**
   * Longest wait for a connection or for the server's next bytes on one request, after which
   * the attempt fails and is retried (network errors and throttling are retried the same way).
   * @defaultValue 60000
   */
  requestTimeoutMs?: number;
  /** Attempts per request, with exponential backoff and jitter between them. @defaultValue 5 */
  maxAttempts?: number;
  /**
   * Allow commits on a store that does not honour conditional puts (`If-None-Match: *`).
   * Only safe when exactly one process ever writes the table.
   * @defaultValue false
   */
  unsafeSingleWriter?: boolean;
  /** http(s):// tables: headers sent with every request (e.g. Authorization). */
  httpHeaders?: Readonly<Record<string, string>>;
  /** http(s):// tables: the fetch to use. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

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

const S3_MODULE = './s3-store.js';

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
  // Loaded lazily so local-only users never load the AWS SDK.
  let mod: { S3Store: new (b: string, p: string, o: StorageOptions) => ObjectStore };
  try {
    mod = (await import(S3_MODULE)) as typeof mod;
  } catch (err) {
    throw unsupportedFeature(`s3:// tables need the S3 store, which this build does not include (${uri})`, 'use a local path or file:// URI');
  }
  return new mod.S3Store(loc.bucket, loc.prefix, storage);
}
