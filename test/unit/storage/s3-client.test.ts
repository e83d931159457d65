import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeltaError } from '../../../src/errors.js';
import { clientConfig, clientFor, sdkConfig } from '../../../src/storage/s3-client.js';

test('a custom endpoint, from storage.endpoint or AWS_ENDPOINT_URL(_S3), makes path-style the default', () => {
  assert.equal(clientConfig({ endpoint: 'http://127.0.0.1:9000' }, {}).forcePathStyle, true);
  assert.equal(clientConfig({}, { AWS_ENDPOINT_URL: 'http://minio:9000' }).forcePathStyle, true);
  assert.equal(clientConfig({}, { AWS_ENDPOINT_URL: 'http://minio:9000' }).endpoint, 'http://minio:9000');
  assert.equal(clientConfig({}, { AWS_ENDPOINT_URL_S3: 'http://s3only:9000', AWS_ENDPOINT_URL: 'http://all:9000' }).endpoint, 'http://s3only:9000');
  assert.equal(clientConfig({ endpoint: 'https://acct.r2.cloudflarestorage.com', forcePathStyle: false }, {}).forcePathStyle, false);
  const aws = clientConfig({}, {});
  assert.deepEqual([aws.endpoint, aws.forcePathStyle, aws.region, aws.credentials], [undefined, false, 'us-east-1', undefined]);
  assert.equal(clientConfig({}, { AWS_REGION: 'eu-west-1' }).region, 'eu-west-1');
  assert.equal(clientConfig({ region: 'auto' }, { AWS_REGION: 'eu-west-1' }).region, 'auto');
});

test('clients compute and validate checksums only when S3 requires them, retry with backoff, and time out idle requests', async () => {
  const c = clientConfig({ endpoint: 'http://127.0.0.1:1', accessKeyId: 'k', secretAccessKey: 's', requestTimeoutMs: 1234, maxAttempts: 7 }, {});
  const cfg = sdkConfig(c);
  assert.equal(cfg.requestChecksumCalculation, 'WHEN_REQUIRED');
  assert.equal(cfg.responseChecksumValidation, 'WHEN_REQUIRED');
  assert.deepEqual([cfg.maxAttempts, cfg.retryMode], [7, 'standard']);
  assert.deepEqual(cfg.requestHandler, { connectionTimeout: 1234, socketTimeout: 1234, cache: 'no-store' }); // cache: for the browser's fetch handler
  const client = clientFor(c, false);
  assert.equal(await client.config.requestChecksumCalculation(), 'WHEN_REQUIRED');
  assert.equal(await client.config.responseChecksumValidation(), 'WHEN_REQUIRED');
  assert.equal(await client.config.forcePathStyle, true);
  client.destroy();
});

test('stores with the same settings share one client; a different secret gets its own', () => {
  const a = clientConfig({ endpoint: 'http://127.0.0.1:1', accessKeyId: 'k', secretAccessKey: 'one' }, {});
  const b = clientConfig({ endpoint: 'http://127.0.0.1:1', accessKeyId: 'k', secretAccessKey: 'two' }, {});
  assert.equal(clientFor(a), clientFor({ ...a }));
  assert.notEqual(clientFor(a), clientFor(b));
});

test('outside Node (no credential chain) the credentials must be given: INVALID_ARGUMENT, never a client that cannot sign', () => {
  assert.throws(() => clientConfig({ endpoint: 'http://127.0.0.1:1' }, {}, false), (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT') && /need credentials in the storage options/.test(err.message));
  assert.throws(() => clientConfig({ accessKeyId: 'k' }, { AWS_SECRET_ACCESS_KEY: 's' }, false), (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT'));
  assert.deepEqual(clientConfig({ accessKeyId: 'k', secretAccessKey: 's', sessionToken: 't' }, {}, false).credentials, { accessKeyId: 'k', secretAccessKey: 's', sessionToken: 't' });
});

test('a shared client is told apart by its session token as well as its secret', () => {
  const a = clientConfig({ endpoint: 'http://127.0.0.1:1', accessKeyId: 'k', secretAccessKey: 's', sessionToken: 'one' }, {});
  const b = clientConfig({ endpoint: 'http://127.0.0.1:1', accessKeyId: 'k', secretAccessKey: 's', sessionToken: 'two' }, {});
  assert.equal(clientFor(a), clientFor({ ...a }));
  assert.notEqual(clientFor(a), clientFor(b));
  assert.notEqual(clientFor(a, false), clientFor(a));
});
