import { S3Client } from '@aws-sdk/client-s3';
import { invalidArgument } from '../errors.js';
import type { StorageOptions } from './storage-options.js';

// Runs in Node and in browsers (the SDK's browser build sends requests with fetch): no node:
// modules, and the environment is read only where there is one.

/** Everything an S3Client is built from, after defaults and the environment are applied. */
export interface ClientConfig {
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  requestTimeoutMs: number;
  maxAttempts: number;
}

type Env = Readonly<Record<string, string | undefined>>;
const runtime = (globalThis as { process?: { env?: Env; versions?: { node?: string } } }).process;

/**
 * Resolves storage options against the standard AWS environment variables. Outside Node (a
 * browser) there is no environment and no credential chain, so the credentials must be given.
 */
export function clientConfig(o: StorageOptions, env: Env = runtime?.env ?? {}, hasCredentialChain = runtime?.versions?.node !== undefined): ClientConfig {
  if (!hasCredentialChain && (o.accessKeyId === undefined || o.secretAccessKey === undefined)) {
    throw invalidArgument(
      's3:// tables outside Node need credentials in the storage options: there is no AWS environment or credential chain here',
      'pass storage: { accessKeyId, secretAccessKey, sessionToken?, region, endpoint? } to DeltaTable.open / writeDeltaTable (short-lived STS credentials scoped to the table\'s prefix are best in a page)',
    );
  }
  const endpoint = o.endpoint ?? env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL'];
  return {
    endpoint,
    region: o.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    // S3-compatible servers at a custom endpoint rarely have per-bucket DNS names.
    forcePathStyle: o.forcePathStyle ?? endpoint !== undefined,
    // Unset: the SDK's default chain (environment, AWS_PROFILE and ~/.aws, SSO, instance roles).
    credentials: o.accessKeyId !== undefined && o.secretAccessKey !== undefined
      ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, ...(o.sessionToken !== undefined ? { sessionToken: o.sessionToken } : {}) }
      : undefined,
    requestTimeoutMs: o.requestTimeoutMs ?? 60_000,
    maxAttempts: o.maxAttempts ?? 5,
  };
}

/** Shared clients by their configuration without the secret; each entry's secret is compared as it is. */
const clients = new Map<string, { secret: string; client: S3Client }[]>();

/**
 * One client (one connection pool) per configuration. The cache key leaves the secret out (so it
 * is never part of a string built here); clients with the same key are told apart by comparing
 * the secret and session token they were built with.
 */
export function clientFor(c: ClientConfig, shared = true): S3Client {
  if (!shared) return new S3Client(sdkConfig(c));
  const id = JSON.stringify([c.endpoint, c.region, c.forcePathStyle, c.credentials?.accessKeyId, c.requestTimeoutMs, c.maxAttempts]);
  const secret = c.credentials ? `${c.credentials.secretAccessKey}\0${c.credentials.sessionToken ?? ''}` : '';
  const same = clients.get(id) ?? [];
  clients.set(id, same);
  let entry = same.find((e) => e.secret === secret);
  if (!entry) same.push(entry = { secret, client: new S3Client(sdkConfig(c)) });
  return entry.client;
}

/** The S3Client constructor argument for a configuration. */
export function sdkConfig(c: ClientConfig) {
  return {
    ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
    region: c.region,
    forcePathStyle: c.forcePathStyle,
    ...(c.credentials ? { credentials: c.credentials } : {}),
    // RGW 16 and other S3-compatible servers do not understand aws-chunked checksum trailers;
    // bodies are byte arrays with a known length, so no checksum is needed unless S3 requires one.
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
    // The SDK's standard strategy: exponential backoff with full jitter on throttling
    // (503 SlowDown), 5xx, timeouts and network errors (ECONNRESET, EPIPE, ...).
    maxAttempts: c.maxAttempts,
    retryMode: 'standard',
    // An idle limit (socketTimeout), not a total one: a stalled server fails the attempt, which is
    // retried, while a large transfer that keeps moving is never cut off. (The handler's
    // requestTimeout is a total and, without throwOnRequestTimeout, only logs a warning.) The
    // browser's fetch handler has neither: there the browser's own network timeouts apply.
    //
    // cache: 'no-store' is for the browser's fetch handler (Node's ignores it). Without it the
    // browser's HTTP cache answers or rewrites requests itself: for a range it holds in part, it
    // asks for the rest with its own Range and If-Range headers, which breaks the request's
    // signature (S3 answers 403, seen in Chromium), and a cached _last_checkpoint could be stale.
    requestHandler: { connectionTimeout: Math.min(5_000, c.requestTimeoutMs), socketTimeout: c.requestTimeoutMs, cache: 'no-store' as const },
  };
}
