import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import type { StorageOptions } from '../../src/index.js';

/**
 * A running s3rver (the npm fake S3 server, in-process): a real HTTP S3 API that does NOT honour
 * `If-None-Match: *` on PutObject (../shared/S3-TEST-SERVER.md), i.e. a store without
 * conditional writes.
 */
export interface RunningS3rver {
  endpoint: string;
  bucket: string;
  storage: StorageOptions;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = 'plain-bucket'): Promise<RunningS3rver> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'dlts-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    storage: { endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
