import { DeltaError, fileNotFound, httpFailure, httpReadOnly, httpUnreachable } from '../errors.js';
import { listLogByProbing } from './http-log-listing.js';
import type { ObjectMeta, ObjectStore } from './object-store.js';

/** How an http(s):// table is fetched. */
export interface HttpStoreOptions {
  /** Headers sent with every request (e.g. Authorization). */
  headers?: Readonly<Record<string, string>>;
  /** The fetch to use. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** Attempts per request on network errors and 5xx/429 answers. @defaultValue 3 */
  maxAttempts?: number;
}

/** Commit files never change once written, so their bodies are kept to spare a second GET. */
const COMMIT_CACHE_BYTES = 32 * 2 ** 20;

/**
 * A read-only store over plain HTTP(S) GETs with Range requests, for tables on static hosts and
 * CDNs. Such hosts have no directory listing, so `list('_delta_log/')` is emulated by probing
 * (http-log-listing.ts); every other listing, and every write, is refused.
 */
export class HttpStore implements ObjectStore {
  readonly rootUri: string;
  private readonly fetchFn: typeof fetch;
  private readonly commitBodies = new Map<string, Uint8Array>();
  private cachedBytes = 0;

  constructor(rootUrl: string, private readonly opts: HttpStoreOptions = {}) {
    this.rootUri = rootUrl.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async get(path: string): Promise<Uint8Array> {
    const cached = this.commitBodies.get(path);
    if (cached) return cached;
    const res = await this.request('GET', path);
    if (res.status === 404) throw fileNotFound(this.urlOf(path));
    const bytes = await bodyOf(res, 'GET', this.urlOf(path));
    this.remember(path, bytes);
    return bytes;
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    const cached = this.commitBodies.get(path);
    if (cached) return cached.slice(start, end);
    const res = await this.request('GET', path, { Range: `bytes=${start}-${end - 1}` });
    if (res.status === 404) throw fileNotFound(this.urlOf(path));
    const bytes = await bodyOf(res, 'GET', this.urlOf(path));
    // A server without Range support answers 200 with the whole object: still correct, just slower.
    return res.status === 206 ? bytes : bytes.slice(start, end);
  }

  async head(path: string): Promise<ObjectMeta | undefined> {
    const res = await this.request('HEAD', path);
    if (res.status === 404) return undefined;
    if (res.ok) {
      const length = res.headers.get('content-length');
      if (length !== null) return { path, sizeBytes: Number(length), lastModifiedMs: lastModifiedOf(res) };
    }
    // Some hosts (presigned GET URLs, servers without HEAD) only answer GET: ask for one byte.
    const probe = await this.request('GET', path, { Range: 'bytes=0-0' });
    if (probe.status === 404) return undefined;
    const bytes = await bodyOf(probe, 'GET', this.urlOf(path));
    const total = /\/(\d+)$/.exec(probe.headers.get('content-range') ?? '')?.[1];
    return { path, sizeBytes: total !== undefined ? Number(total) : bytes.length, lastModifiedMs: lastModifiedOf(probe) };
  }

  list(prefix: string, opts: { startAfter?: string } = {}): AsyncIterable<ObjectMeta> {
    if (prefix !== '_delta_log/') throw httpReadOnly(`list ${prefix || 'the root of'}`, this.rootUri);
    return listLogByProbing(this, opts.startAfter);
  }

  /** The commit file's body and metadata, or undefined when it does not exist (one GET). */
  async probe(path: string): Promise<{ meta: ObjectMeta; bytes: Uint8Array } | undefined> {
    const res = await this.request('GET', path);
    if (res.status === 404) return undefined;
    const bytes = await bodyOf(res, 'GET', this.urlOf(path));
    this.remember(path, bytes);
    return { meta: { path, sizeBytes: bytes.length, lastModifiedMs: lastModifiedOf(res) }, bytes };
  }

  async put(path: string): Promise<void> {
    throw httpReadOnly(`write ${path} in`, this.rootUri);
  }

  async putIfAbsent(path: string): Promise<'created' | 'exists'> {
    throw httpReadOnly(`commit ${path} to`, this.rootUri);
  }

  async delete(path: string): Promise<void> {
    throw httpReadOnly(`delete ${path} from`, this.rootUri);
  }

  /** The URL of a root-relative path (each segment percent-encoded), or an absolute http(s) URL as is. */
  urlOf(path: string): string {
    if (/^https?:\/\//i.test(path)) return path;
    return `${this.rootUri}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  private async request(method: 'GET' | 'HEAD', path: string, extra: Record<string, string> = {}): Promise<Response> {
    const url = this.urlOf(path);
    const attempts = Math.max(1, this.opts.maxAttempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchFn(url, { method, headers: { ...this.opts.headers, ...extra } });
      } catch (err) {
        if (attempt >= attempts) throw httpUnreachable(method, url, err);
        await backoff(attempt);
        continue;
      }
      if (res.ok || res.status === 404) return res;
      // 410 Gone is a deleted object to a reader, like 404.
      if (res.status === 410) return new Response(null, { status: 404 });
      const failure = httpFailure(method, url, res.status, res.statusText);
      await res.body?.cancel();
      if (!failure.retryable || attempt >= attempts) throw failure;
      await backoff(attempt);
    }
  }

  private remember(path: string, bytes: Uint8Array): void {
    if (!/^_delta_log\/\d{20}\.json$/.test(path) || bytes.length > COMMIT_CACHE_BYTES / 8) return;
    this.commitBodies.set(path, bytes);
    this.cachedBytes += bytes.length;
    // Oldest first (Map keeps insertion order).
    for (const [key, value] of this.commitBodies) {
      if (this.cachedBytes <= COMMIT_CACHE_BYTES) break;
      this.commitBodies.delete(key);
      this.cachedBytes -= value.length;
    }
  }
}

async function bodyOf(res: Response, method: string, url: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    if (err instanceof DeltaError) throw err;
    throw httpUnreachable(method, url, err);
  }
}

function lastModifiedOf(res: Response): number {
  const header = res.headers.get('last-modified');
  const ms = header === null ? NaN : Date.parse(header);
  return Number.isFinite(ms) ? ms : 0;
}

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100 * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)));
}
