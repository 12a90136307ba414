import { createHash } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  type AppendResultInfo,
  type BlobInfo,
  BlobMismatchError,
  type BlobStore,
  createKeyedLock,
  sha256Digest,
  UploadOffsetError,
  UploadUnknownError,
  verifyUpload,
} from "@berth/engine";
import { appendAfter } from "./append-after.js";
import { assembleBlob } from "./assemble-blob.js";
import { blobObjects } from "./blob-objects.js";
import { type Bucket, deleteKeys, deletePrefix, objectSize } from "./bucket.js";
import { normalizePrefix, s3Layout, type UploadKeys } from "./s3-layout.js";
import { blockKeys } from "./upload-blocks.js";
import { createOnce } from "./upload-log.js";
import { createUploadViews } from "./upload-views.js";

/** S3's smallest part (but the last) of a multipart upload. */
export const S3_MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;

export interface S3BlobStoreOptions {
  /** The client to use; the store never destroys it (the caller does, after close()). */
  readonly client: S3Client;
  readonly bucket: string;
  /** Keys start with it (`a/b` becomes `a/b/`); default none. */
  readonly prefix?: string;
  /**
   * Bytes per block (default 8 MiB): the unit appends are stored in and the part size of the
   * multipart upload that finishes an upload, so at least 5 MiB on S3 (S3 allows 10,000 parts: the
   * default makes blobs of up to 78 GiB). An append holds up to two blocks in memory.
   */
  readonly blockSize?: number;
}

/**
 * A BlobStore in an S3 bucket that any number of Berth processes may share. An append writes its
 * bytes as block objects of its own, then commits with one conditional PUT of `log/<offset>`
 * (`If-None-Match: *`): of two appends at one offset, in any processes, exactly one commits, and a
 * failed or refused append leaves nothing the upload counts. Finishing checks size then digest,
 * then has S3 assemble the blocks into `blobs/sha256/<hex>` (a multipart upload of part copies), so
 * a blob is visible whole or not at all. The running sha256 of each upload is kept in memory;
 * another process (or this one after a restart) catches up by reading the bytes it has not seen.
 * In-process, operations on one upload run one at a time. See s3-layout.ts for the keys.
 */
export const createS3BlobStore = (options: S3BlobStoreOptions): BlobStore => {
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  if (!Number.isSafeInteger(blockSize) || blockSize < 1) throw new RangeError("blockSize must be positive");
  const bucket: Bucket = { s3: options.client, name: options.bucket };
  const layout = s3Layout(normalizePrefix(options.prefix));
  const views = createUploadViews(bucket, blockSize);
  const uploadLock = createKeyedLock();
  const blobs = blobObjects(bucket, layout);

  const keysOf = (uploadId: string): UploadKeys => {
    const keys = layout.upload(uploadId);
    if (keys === undefined) throw new UploadUnknownError(uploadId);
    return keys;
  };

  /** The `open` marker goes first: from then on the upload is unknown, even if deleting the rest fails. */
  const discardUpload = async (uploadId: string, keys: UploadKeys): Promise<void> => {
    views.forget(uploadId);
    await deleteKeys(bucket, [keys.openKey]);
    await deletePrefix(bucket, keys.prefix);
  };

  const createUpload = async (uploadId: string) => {
    const keys = layout.upload(uploadId);
    if (keys === undefined) throw new Error(`"${uploadId}" cannot name an upload: use a uuid`);
    return uploadLock.run(uploadId, async () => {
      if (await createOnce(bucket, keys.openKey, "{}")) {
        views.remember(uploadId, { commits: [], size: 0, hash: createHash("sha256") });
        return { uploadId, size: 0 };
      }
      return { uploadId, size: (await views.current(uploadId, keys)).size }; // handed back as it is
    });
  };

  const appendToUpload = (
    uploadId: string,
    offset: number,
    chunk: AsyncIterable<Uint8Array> | Uint8Array,
  ): Promise<AppendResultInfo> =>
    uploadLock.run(uploadId, async () => {
      const keys = keysOf(uploadId);
      const view = await views.current(uploadId, keys);
      if (offset !== view.size) throw new UploadOffsetError(uploadId, view.size, offset);
      return appendAfter({ bucket, blockSize, views }, { uploadId, keys, view }, chunk);
    });

  const uploadStatus = async (uploadId: string): Promise<AppendResultInfo> => {
    const { size, hash } = await views.current(uploadId, keysOf(uploadId));
    return { size, digest: sha256Digest(hash) };
  };

  const finishUpload = (uploadId: string, expected: BlobInfo): Promise<BlobInfo> =>
    uploadLock.run(uploadId, async () => {
      const keys = keysOf(uploadId);
      const view = await views.current(uploadId, keys);
      const finished = await verifyUpload(uploadId, expected, view.size, () => view.hash);
      if (finished instanceof BlobMismatchError) {
        await discardUpload(uploadId, keys);
        throw finished;
      }
      const blobKey = layout.blobKey(finished.digest);
      if (blobKey === undefined)
        throw new Error(`sha256Digest produced an unusable digest ${finished.digest}`);
      if ((await objectSize(bucket, blobKey)) === undefined)
        await assembleBlob(bucket, blobKey, blockKeys(keys, view.commits, blockSize));
      await discardUpload(uploadId, keys); // the same bytes are already a blob, or were just copied
      return finished;
    });

  return {
    createUpload,
    appendToUpload,
    uploadStatus,
    finishUpload,
    async abortUpload(uploadId) {
      const keys = layout.upload(uploadId);
      if (keys !== undefined) await uploadLock.run(uploadId, () => discardUpload(uploadId, keys));
    },
    stat: blobs.stat,
    read: blobs.read,
    delete: blobs.delete,
    presignRead: blobs.presignRead,
    async close() {},
  };
};
