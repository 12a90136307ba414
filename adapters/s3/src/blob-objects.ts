import { DeleteObjectCommand, GetObjectCommand, type GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type BlobDigest, type BlobInfo, BlobUnknownError, type ByteRange } from "@berth/engine";
import { type Bucket, bodyStream, objectSize } from "./bucket.js";
import { isMissingObject, isUnsatisfiableRange } from "./s3-errors.js";
import type { S3Layout } from "./s3-layout.js";

/** Blobs as S3 objects: HEAD for stat, a (ranged) GET streamed for reads, DELETE, presigned GETs. */
export const blobObjects = (bucket: Bucket, layout: S3Layout) => {
  const keyOf = (digest: BlobDigest): string | undefined => layout.blobKey(digest);

  const stat = async (digest: BlobDigest): Promise<BlobInfo | undefined> => {
    const key = keyOf(digest);
    const size = key === undefined ? undefined : await objectSize(bucket, key);
    return size === undefined ? undefined : { digest, size };
  };

  /**
   * One GET, never buffered: the answer's body is the stream. A range is checked against the size
   * S3 reports (S3 shortens a range that runs past the end; this store refuses it, as the port says).
   */
  const read = async (digest: BlobDigest, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> => {
    const key = keyOf(digest);
    if (key === undefined) throw new BlobUnknownError(digest);
    if (range !== undefined) {
      const { start, end } = range;
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start)
        throw new RangeError(`Byte range ${start}-${end} is not a range of bytes`);
    }
    let answer: GetObjectCommandOutput;
    try {
      answer = await bucket.s3.send(
        new GetObjectCommand({
          Bucket: bucket.name,
          Key: key,
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
        }),
      );
    } catch (error) {
      if (isMissingObject(error)) throw new BlobUnknownError(digest);
      if (range !== undefined && isUnsatisfiableRange(error))
        throw new RangeError(`Byte range ${range.start}-${range.end} is outside blob ${digest}`);
      throw error;
    }
    const body = bodyStream(answer);
    const total = Number(/\/(\d+)$/.exec(answer.ContentRange ?? "")?.[1] ?? answer.ContentLength);
    if (range !== undefined && !(range.end < total)) {
      body.destroy();
      throw new RangeError(`Byte range ${range.start}-${range.end} is outside a blob of ${total} bytes`);
    }
    return body;
  };

  return {
    stat,
    read,
    async delete(digest: BlobDigest): Promise<void> {
      const key = keyOf(digest);
      if (key !== undefined) await bucket.s3.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: key }));
    },
    /** A GET URL anyone may use until it expires (the blob's existence is the caller's to check). */
    async presignRead(digest: BlobDigest, expiresInSeconds: number): Promise<string> {
      const key = keyOf(digest);
      if (key === undefined) throw new BlobUnknownError(digest);
      return getSignedUrl(bucket.s3, new GetObjectCommand({ Bucket: bucket.name, Key: key }), {
        expiresIn: expiresInSeconds,
      });
    },
  };
};
