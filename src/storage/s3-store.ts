import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeltaError, fileNotFound, isDeltaError, outsideRoot, unsupportedFeature } from '../errors.js';
import { compareBytes } from '../format/byte-text.js';
import type { ObjectMeta, ObjectStore } from './object-store.js';
import { clientConfig, clientFor, type ClientConfig } from './s3-client.js';
import { isUnreadableFetchFailure, s3Failure, statusOf, unreadableFetchFailure } from './s3-errors.js';
import { MULTIPART_THRESHOLD, putMultipart } from './s3-multipart.js';
import type { StorageOptions } from './storage-options.js';

/** DeleteObjects takes at most 1000 keys per request. */
const DELETE_BATCH = 1000;

/**
 * ObjectStore on S3 and S3-compatible servers (MinIO, R2, Ceph RGW).
 *
 * putIfAbsent is one PutObject with `If-None-Match: *`: 200 = created, 412 = the key exists (the
 * commit lost the race), 409 = a concurrent conditional write is in progress (retry the same put).
 * It is never a multipart upload, because Ceph RGW 16 ignores the condition on
 * CompleteMultipartUpload. Before the first conditional put to a bucket, a probe checks that the
 * server honours the condition at all. If it does not, concurrent writers could overwrite each
 * other's commits, so commits are refused unless the user declares a single writer.
 *
 * It runs in Node and in browsers (no node: modules; bodies are plain Uint8Arrays). A page on
 * another origin needs the bucket's CORS rules to allow it (spec/storage.md gives the rule).
 */
export class S3Store implements ObjectStore {
  readonly rootUri: string;
  private readonly client: S3Client;
  private readonly root: string;
  private readonly probeKey: string;
  private readonly config: ClientConfig;

  constructor(
    readonly bucket: string, prefix: string, private readonly options: StorageOptions = {},
    /** A dedicated client; by default stores with the same configuration share one (one connection pool). */
    client?: S3Client,
  ) {
    this.root = prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
    this.rootUri = `s3://${bucket}/${this.root.replace(/\/$/, '')}`;
    const config = clientConfig(options);
    this.config = config;
    this.client = client ?? clientFor(config);
    this.probeKey = `${config.endpoint ?? `aws:${config.region}`}|${bucket}`;
  }

  async get(path: string): Promise<Uint8Array> {
    const key = this.object(path);
    try {
      const out = await this.client.send(new GetObjectCommand(key));
      return await out.Body!.transformToByteArray();
    } catch (err) {
      throw await this.fail('get', path, err);
    }
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    try {
      const out = await this.client.send(new GetObjectCommand({ ...this.object(path), Range: `bytes=${start}-${end - 1}` }));
      return await out.Body!.transformToByteArray();
    } catch (err) {
      throw await this.fail('get range of', path, err);
    }
  }

  async head(path: string): Promise<ObjectMeta | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand(this.object(path)));
      return { path, sizeBytes: out.ContentLength ?? 0, lastModifiedMs: out.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw await this.fail('head', path, err);
    }
  }

  async *list(prefix: string, opts: { startAfter?: string } = {}): AsyncIterable<ObjectMeta> {
    let token: string | undefined;
    do {
      let out;
      try {
        out = await this.client.send(new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.key(prefix),
          ...(opts.startAfter !== undefined && token === undefined ? { StartAfter: this.key(opts.startAfter) } : {}),
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }));
      } catch (err) {
        throw await this.fail('list', prefix || '/', err);
      }
      for (const o of out.Contents ?? []) {
        if (!o.Key) continue;
        yield { path: o.Key.slice(this.root.length), sizeBytes: o.Size ?? 0, lastModifiedMs: o.LastModified?.getTime() ?? 0 };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async put(path: string, bytes: Uint8Array): Promise<void> {
    try {
      if (bytes.byteLength > MULTIPART_THRESHOLD) await putMultipart(this.client, this.bucket, this.key(path), bytes);
      else await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(path), Body: bytes }));
    } catch (err) {
      throw await this.fail(bytes.byteLength > MULTIPART_THRESHOLD ? 'multipart upload of' : 'put', path, err);
    }
  }

  async putIfAbsent(path: string, bytes: Uint8Array): Promise<'created' | 'exists'> {
    if (this.options.unsafeSingleWriter) {
      // Declared single writer: no condition is sent (some stores reject it outright). Still one
      // PutObject whatever the size: a commit is never a multipart upload.
      if (await this.head(path)) return 'exists';
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(path), Body: bytes }));
      } catch (err) {
        throw await this.fail('put', path, err);
      }
      return 'created';
    }
    await this.ensureConditionalPuts();
    const body = bytes;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(path), Body: body, IfNoneMatch: '*' }));
        return 'created';
      } catch (err) {
        const status = statusOf(err);
        if (status === 409 && attempt < 10) {
          await sleep(Math.random() * 50 * attempt);
          continue;
        }
        if (status !== 412) throw await this.fail('put-if-absent', path, err);
        // 412 after the SDK retried a request whose first try may have landed: it may be our own write.
        const attempts = (err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
        if (attempts > 1 && compareBytes(await this.get(path), body) === 0) return 'created';
        return 'exists';
      }
    }
  }

  async delete(path: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw await this.fail('delete', path, err);
    }
  }

  /** Deletes many objects with DeleteObjects, 1000 per request (vacuum, log cleanup). */
  async deleteMany(paths: readonly string[]): Promise<void> {
    for (let i = 0; i < paths.length; i += DELETE_BATCH) {
      const chunk = paths.slice(i, i + DELETE_BATCH);
      let out;
      try {
        out = await this.client.send(new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: chunk.map((p) => ({ Key: this.key(p) })), Quiet: true },
        }));
      } catch (err) {
        throw await this.fail('delete objects under', chunk[0]!, err);
      }
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new DeltaError('STORAGE_FAILURE', `delete of ${failed.length} object(s) in ${this.rootUri} failed, first ${first.Key}: ${first.Code} ${first.Message ?? ''}`, {
          hint: 'check delete permissions on the bucket (s3:DeleteObject), then run the operation again',
        });
      }
    }
  }

  /** Probes once per endpoint and bucket that a second `If-None-Match: *` put is refused. */
  private ensureConditionalPuts(): Promise<void> {
    let probe = probes.get(this.probeKey);
    if (!probe) {
      probe = this.probeConditionalPuts();
      probes.set(this.probeKey, probe);
      // The verdict "not honoured" is kept; a probe that failed for another reason (network,
      // credentials) is tried again by the next commit.
      probe.catch((err: unknown) => {
        if (!isDeltaError(err, 'UNSUPPORTED_FEATURE')) probes.delete(this.probeKey);
      });
    }
    return probe;
  }

  private async probeConditionalPuts(): Promise<void> {
    const key = this.key(`_delta_log/.conditional-put-probe-${crypto.randomUUID()}`);
    const put = (body: string): Promise<unknown> => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: new TextEncoder().encode(body), IfNoneMatch: '*' }));
    const unsafe = (why: string): DeltaError => unsupportedFeature(
      `${this.rootUri}: the S3 server does not honour conditional puts (If-None-Match: *; ${why}), so two writers could overwrite each other's commits`,
      'use a store with conditional writes (AWS S3, MinIO, R2, Ceph RGW), or set storage: { unsafeSingleWriter: true } if exactly one process ever writes this table',
    );
    try {
      try {
        await put('first');
      } catch (err) {
        const status = statusOf(err);
        if (status === 501 || status === 400) throw unsafe(`it answered ${status} to the condition`);
        throw await this.fail('probe conditional put at', key, err);
      }
      try {
        await put('second');
      } catch (err) {
        const status = statusOf(err);
        if (status === 412 || status === 409) return;
        throw await this.fail('probe conditional put at', key, err);
      }
      throw unsafe('a second put of the same key succeeded');
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
    }
  }

  /**
   * Bucket and key of a read: a path under the root, or an absolute `s3://bucket/key` location
   * (a shallow clone's file, already decoded by the path gate). Only get, getRange and head take these.
   */
  private object(path: string): { Bucket: string; Key: string } {
    if (!path.startsWith('s3://')) return { Bucket: this.bucket, Key: this.key(path) };
    const rest = path.slice('s3://'.length);
    const slash = rest.indexOf('/');
    return { Bucket: slash < 0 ? rest : rest.slice(0, slash), Key: slash < 0 ? '' : rest.slice(slash + 1) };
  }

  /** The key of a path under the root; an absolute location is refused: nothing is written or deleted outside the root. */
  private key(path: string): string {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw outsideRoot(path, this.rootUri);
    return this.root + path;
  }

  /** The object named in messages. */
  private where(path: string): string {
    const o = this.object(path);
    return `s3://${o.Bucket}/${o.Key}`;
  }

  /** wrap, and in a browser, a request whose answer could not be read is diagnosed (CORS or credentials). */
  private async fail(op: string, path: string, err: unknown): Promise<DeltaError> {
    if (!isUnreadableFetchFailure(err)) return this.wrap(op, path, err);
    const bucket = this.object(path).Bucket;
    return unreadableFetchFailure(op, this.where(path), bucketUrl(this.config, bucket), err, () => this.client.send(new HeadBucketCommand({ Bucket: bucket })));
  }

  private wrap(op: string, path: string, err: unknown): DeltaError {
    if (err instanceof DeltaError) return err;
    const status = statusOf(err);
    if (status === 404 && (err as { name?: string }).name !== 'NoSuchBucket') return fileNotFound(this.where(path), err);
    return s3Failure(op, this.where(path), err);
  }
}

const probes = new Map<string, Promise<void>>();

/** The bucket's own URL, as the SDK addresses it (path style or virtual host). */
function bucketUrl(c: ClientConfig, bucket: string): string {
  if (c.endpoint === undefined) {
    return c.forcePathStyle ? `https://s3.${c.region}.amazonaws.com/${encodeURIComponent(bucket)}/` : `https://${bucket}.s3.${c.region}.amazonaws.com/`;
  }
  const url = new URL(c.endpoint);
  if (c.forcePathStyle) url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(bucket)}/`;
  else url.hostname = `${bucket}.${url.hostname}`;
  return url.href;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
