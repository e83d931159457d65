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
