import { DeltaError } from '../errors.js';

/** The HTTP status of an AWS SDK error, if it carries one. */
export function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

const CREDENTIAL_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError']);
const TRANSIENT = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'TimeoutError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/**
 * An S3 failure as STORAGE_FAILURE naming the object and the S3 error code, with a hint that fits
 * (credentials, missing bucket, transient). Messages never include credentials.
 */
export function s3Failure(op: string, uri: string, err: unknown): DeltaError {
  const e = err as { name?: string; code?: string; message?: string };
  const code = e.name ?? e.code ?? 'Error';
  const status = statusOf(err);
  const what = `${op} ${uri} failed: ${code}${status !== undefined ? ` (HTTP ${status})` : ''}${e.message && e.message !== code ? `: ${e.message}` : ''}`;
  if (CREDENTIAL_ERRORS.has(code) || status === 403) {
    return new DeltaError('STORAGE_FAILURE', what, {
      hint: 'check the credentials (storage.accessKeyId/secretAccessKey or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_PROFILE) and that they may access this bucket and prefix',
      cause: err,
    });
  }
  if (code === 'NoSuchBucket') {
    return new DeltaError('STORAGE_FAILURE', what, { hint: 'create the bucket first, or check its name and the endpoint/region', cause: err });
  }
  const retryable = TRANSIENT.has(code) || (status !== undefined && status >= 500);
  return new DeltaError('STORAGE_FAILURE', what, {
    hint: retryable ? 'the storage answered with a transient error after retries; retry the operation' : 'check the endpoint (storage.endpoint or AWS_ENDPOINT_URL), region and connectivity',
    cause: err,
    retryable,
  });
}

// In a browser, a request whose answer the page may not read (no CORS headers on it, or no answer
// at all) fails inside fetch with a bare TypeError: neither the status nor S3's error code is
// visible. Ceph RGW, for one, sends no CORS headers with its 403 for a wrong signature, so a bad
// secret looks exactly like a missing CORS rule.

/** True when `err` is such a fetch failure (a TypeError with no HTTP answer), outside Node. */
export function isUnreadableFetchFailure(err: unknown): boolean {
  const inNode = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== undefined;
  return !inNode && (err as { name?: unknown } | null)?.name === 'TypeError' && statusOf(err) === undefined;
}

/**
 * Tells the causes apart with up to two more requests from the same page. A signed HeadBucket
 * whose answer the page can read (any status) shows that signing and CORS work, so the request
 * failed on the way (a dropped connection): retryable. Otherwise an unsigned GET of the bucket:
 * S3 answers it 403, with CORS headers when a rule admits the origin; if the page can read that,
 * CORS is in order and the signed requests were refused, most likely for their credentials; if
 * not, the bucket has no CORS rule for this origin (or the endpoint is unreachable).
 */
export async function unreadableFetchFailure(
  op: string, uri: string, bucketUrl: string, err: unknown, signedProbe: () => Promise<unknown>,
): Promise<DeltaError> {
  const detail = (err as { message?: unknown } | null)?.message;
  const what = `${op} ${uri} failed: the browser could not read S3's answer (${typeof detail === 'string' ? detail : 'fetch failed'})`;
  const readable = async (request: () => Promise<unknown>): Promise<boolean> => {
    try {
      await request();
      return true;
    } catch (probeErr) {
      return !isUnreadableFetchFailure(probeErr);
    }
  };
  if (await readable(signedProbe)) {
    return new DeltaError('STORAGE_FAILURE', `${what}; a signed request to the bucket does get an answer, so the connection failed on the way`, {
      hint: 'the storage answered with a transient error after retries; retry the operation',
      cause: err,
      retryable: true,
    });
  }
  if (await readable(() => globalThis.fetch(bucketUrl, { method: 'GET', mode: 'cors', credentials: 'omit' }))) {
    return new DeltaError('STORAGE_FAILURE', `${what}; the bucket's CORS rules do admit this page, so the server refused the signed request without CORS headers`, {
      hint: 'check the credentials (storage.accessKeyId/secretAccessKey/sessionToken): a wrong or expired key is refused this way by some servers (Ceph RGW); also check that they may access this bucket and prefix',
      cause: err,
    });
  }
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  return new DeltaError('STORAGE_FAILURE', `${what}; an unsigned request to ${bucketUrl} was blocked too`, {
    hint: `give the bucket a CORS rule that admits this page${typeof origin === 'string' ? ` (AllowedOrigins ${origin})` : ''} with AllowedMethods GET, HEAD, PUT, POST, DELETE, AllowedHeaders *, ExposeHeaders ETag (spec/storage.md gives the rule), and check that the endpoint is reachable from the page`,
    cause: err,
    retryable: true,
  });
}
