import { randomUUID } from 'node:crypto';
import type { StorageOptions } from '../../src/index.js';

// The S3 server comes from scripts/run-tests.mjs (a Ceph RGW it starts) or from S3_ENDPOINT.
const endpoint = process.env['S3_ENDPOINT'];
export const s3Bucket = process.env['S3_BUCKET'] ?? 'test-bucket';

/**
 * `{ skip }` for S3 tests when no server is configured. Under CI they never skip: they run and
 * fail, so a missing server cannot pass unnoticed.
 */
export const s3TestOptions: { skip?: string; timeout: number } = endpoint || process.env['CI'] === 'true'
  ? { timeout: 300_000 }
  : { skip: `no S3 server: ${process.env['S3_UNAVAILABLE'] ?? 'S3_ENDPOINT is not set'}`, timeout: 300_000 };

/** Storage options for the test server, explicit (not from the environment). */
export function s3Options(): StorageOptions {
  return {
    endpoint: endpoint ?? 'http://127.0.0.1:7480',
    region: process.env['AWS_REGION'] ?? 'us-east-1',
    accessKeyId: process.env['AWS_ACCESS_KEY_ID'] ?? 'test',
    secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'] ?? 'testsecret',
  };
}

/** A fresh, empty location in the test bucket: every test gets its own prefix. */
export function freshS3Uri(name = 't'): string {
  return `s3://${s3Bucket}/tests/${randomUUID()}/${name}`;
}
