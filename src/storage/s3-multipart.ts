import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';

/** Objects above this size are uploaded in parts (never commits: those are single PutObjects). */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;
export const PARTS_IN_FLIGHT = 4;

/**
 * Uploads `bytes` in PART_SIZE parts, PARTS_IN_FLIGHT at a time. Parts are views of `bytes`
 * (no copies), so memory stays the object itself plus the requests in flight. On failure the
 * upload is aborted, so no parts are left to bill for, and the error is rethrown.
 */
export async function putMultipart(client: S3Client, bucket: string, key: string, bytes: Uint8Array): Promise<void> {
  let uploadId: string | undefined;
  try {
    uploadId = (await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;
    const count = Math.ceil(bytes.byteLength / PART_SIZE);
    const etags: string[] = new Array(count);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const n = next++;
        const part = bytes.subarray(n * PART_SIZE, Math.min(bytes.byteLength, (n + 1) * PART_SIZE));
        const out = await client.send(new UploadPartCommand({
          Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: n + 1, Body: part,
        }));
        etags[n] = out.ETag!;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, count) }, worker));
    await client.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
    }));
  } catch (err) {
    // Best effort: the original error is what the caller needs; an orphaned upload only costs storage.
    if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw err;
  }
}
