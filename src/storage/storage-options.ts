/**
 * Storage settings. S3: anything unset falls back to the standard AWS environment and credential
 * chain in Node; in a browser there is neither, so accessKeyId and secretAccessKey (and a
 * sessionToken for temporary credentials) must be given.
 */
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
