import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import type { Bucket } from "./bucket.js";

/** Parts copied at once: S3 copies them on its side, Berth only waits. */
const PARALLEL_COPIES = 4;
const CONTENT_TYPE = "application/octet-stream";

/** `bucket/key` as CopySource wants it: each segment URL-encoded. */
const copySource = (bucket: Bucket, key: string) =>
  [bucket.name, ...key.split("/")].map(encodeURIComponent).join("/");

/**
 * Makes the blob at `blobKey` out of the upload's block objects, inside S3: one CopyObject for a
 * single block, else an S3 multipart upload whose parts are the blocks (UploadPartCopy; every block
 * but the last is full, and blocks are at least 5 MiB). The blob becomes visible all at once when
 * the copy or the multipart upload completes; a failure aborts the multipart upload, so nothing is
 * visible and no parts are kept. Bytes never travel through Berth.
 */
export const assembleBlob = async (
  bucket: Bucket,
  blobKey: string,
  blocks: ReadonlyArray<string>,
): Promise<void> => {
  const [first] = blocks;
  if (first === undefined) {
    await bucket.s3.send(
      new PutObjectCommand({
        Bucket: bucket.name,
        Key: blobKey,
        Body: new Uint8Array(),
        ContentType: CONTENT_TYPE,
      }),
    );
    return;
  }
  if (blocks.length === 1) {
    await bucket.s3.send(
      new CopyObjectCommand({ Bucket: bucket.name, Key: blobKey, CopySource: copySource(bucket, first) }),
    );
    return;
  }
  const created = await bucket.s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket.name, Key: blobKey, ContentType: CONTENT_TYPE }),
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new Error("S3 answered CreateMultipartUpload without an UploadId");
  try {
    const parts: { PartNumber: number; ETag: string }[] = [];
    for (let index = 0; index < blocks.length; index += PARALLEL_COPIES) {
      const batch = blocks.slice(index, index + PARALLEL_COPIES).map(async (key, offset) => {
        const PartNumber = index + offset + 1;
        const copied = await bucket.s3.send(
          new UploadPartCopyCommand({
            Bucket: bucket.name,
            Key: blobKey,
            UploadId: uploadId,
            PartNumber,
            CopySource: copySource(bucket, key),
          }),
        );
        const etag = copied.CopyPartResult?.ETag;
        if (etag === undefined) throw new Error(`S3 answered UploadPartCopy ${PartNumber} without an ETag`);
        return { PartNumber, ETag: etag };
      });
      parts.push(...(await Promise.all(batch)));
    }
    await bucket.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket.name,
        Key: blobKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    await bucket.s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket.name, Key: blobKey, UploadId: uploadId }))
      .catch(() => {});
    throw error;
  }
};
