import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import type { StorageOptions } from './store-for-url.js';

/** Everything an S3Client is built from, after defaults and the environment are applied. */
export interface ClientConfig {
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  requestTimeoutMs: number;
  maxAttempts: number;
}

/** Resolves storage options against the standard AWS environment variables. */
export function clientConfig(o: StorageOptions, env: NodeJS.ProcessEnv = process.env): ClientConfig {
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

const clients = new Map<string, S3Client>();

/** One client (one connection pool) per configuration; the cache key holds a hash of the secret, never the secret. */
export function clientFor(c: ClientConfig, shared = true): S3Client {
  const secret = c.credentials ? createHash('sha256').update(`${c.credentials.secretAccessKey}\0${c.credentials.sessionToken ?? ''}`).digest('hex') : '';
  const id = JSON.stringify([c.endpoint, c.region, c.forcePathStyle, c.credentials?.accessKeyId, secret, c.requestTimeoutMs, c.maxAttempts]);
  let client = shared ? clients.get(id) : undefined;
  if (!client) {
    client = new S3Client(sdkConfig(c));
    if (shared) clients.set(id, client);
  }
  return client;
}

/** The S3Client constructor argument for a configuration. */
export function sdkConfig(c: ClientConfig) {
  return {
    ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
    region: c.region,
    forcePathStyle: c.forcePathStyle,
    ...(c.credentials ? { credentials: c.credentials } : {}),
    // RGW 16 and other S3-compatible servers do not understand aws-chunked checksum trailers;
    // bodies are Buffers with a known length, so no checksum is needed unless S3 requires one.
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
    // The SDK's standard strategy: exponential backoff with full jitter on throttling
    // (503 SlowDown), 5xx, timeouts and network errors (ECONNRESET, EPIPE, ...).
    maxAttempts: c.maxAttempts,
    retryMode: 'standard',
    // An idle limit (socketTimeout), not a total one: a stalled server fails the attempt, which is
    // retried, while a large transfer that keeps moving is never cut off. (The handler's
    // requestTimeout is a total and, without throwOnRequestTimeout, only logs a warning.)
    requestHandler: { connectionTimeout: Math.min(5_000, c.requestTimeoutMs), socketTimeout: c.requestTimeoutMs },
  };
}
