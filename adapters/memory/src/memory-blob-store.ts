import { createHash, type Hash } from "node:crypto";
import {
  type AppendResultInfo,
  type BlobDigest,
  type BlobInfo,
  BlobMismatchError,
  type BlobStore,
  BlobUnknownError,
  type ByteRange,
  byteSource,
  createKeyedLock,
  resolveByteRange,
  sha256Digest,
  UploadOffsetError,
  UploadUnknownError,
  verifyUpload,
} from "@berth/engine";

interface Upload {
  /** Accepted bytes as received: appending never concatenates what is already there. */
  readonly chunks: Buffer[];
  size: number;
  /** Running sha256 of `chunks`, so finishing needs no second pass over the bytes. */
  hash: Hash;
}

interface Blob {
  readonly chunks: ReadonlyArray<Buffer>;
  readonly size: number;
}

/**
 * A BlobStore in process memory. Operations on one upload run one at a time, so of two appends at
 * the same offset exactly one is accepted; the other then finds the new size and is refused.
 */
export const createMemoryBlobStore = (): BlobStore => {
  const uploads = new Map<string, Upload>();
  const blobs = new Map<BlobDigest, Blob>();
  const uploadLock = createKeyedLock();

  const uploadOf = (uploadId: string): Upload => {
    const upload = uploads.get(uploadId);
    if (upload === undefined) throw new UploadUnknownError(uploadId);
    return upload;
  };

  const appendToUpload = async (
    uploadId: string,
    offset: number,
    chunk: AsyncIterable<Uint8Array> | Uint8Array,
  ): Promise<AppendResultInfo> =>
    uploadLock.run(uploadId, async () => {
      const upload = uploadOf(uploadId);
      if (offset !== upload.size) throw new UploadOffsetError(uploadId, upload.size, offset);
      // Hash and collect on the side: a stream that fails midway leaves the upload as it was.
      const hash = upload.hash.copy();
      const received: Buffer[] = [];
      let size = upload.size;
      for await (const piece of byteSource(chunk)) {
        if (piece.byteLength === 0) continue;
        // The port hands the chunks over (see BlobStore.appendToUpload): kept as they are, no copy.
        const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        hash.update(bytes);
        received.push(bytes);
        size += bytes.byteLength;
      }
      for (const bytes of received) upload.chunks.push(bytes);
      upload.size = size;
      upload.hash = hash;
      return { size, digest: sha256Digest(hash) };
    });

  const finishUpload = async (uploadId: string, expected: BlobInfo): Promise<BlobInfo> =>
    uploadLock.run(uploadId, async () => {
      const upload = uploadOf(uploadId);
      uploads.delete(uploadId);
      const finished = await verifyUpload(uploadId, expected, upload.size, () => upload.hash);
      if (finished instanceof BlobMismatchError) throw finished;
      if (!blobs.has(finished.digest))
        blobs.set(finished.digest, { chunks: upload.chunks, size: upload.size });
      return finished;
    });

  const read = async (digest: BlobDigest, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> => {
    const blob = blobs.get(digest);
    if (blob === undefined) throw new BlobUnknownError(digest);
    return sliceChunks(blob.chunks, resolveByteRange(range, blob.size));
  };

  return {
    async createUpload(uploadId) {
      if (!uploads.has(uploadId)) uploads.set(uploadId, { chunks: [], size: 0, hash: createHash("sha256") });
      return { uploadId, size: uploadOf(uploadId).size };
    },
    appendToUpload,
    async uploadStatus(uploadId) {
      const upload = uploadOf(uploadId);
      return { size: upload.size, digest: sha256Digest(upload.hash) };
    },
    finishUpload,
    abortUpload: (uploadId) =>
      uploadLock.run(uploadId, async () => {
        uploads.delete(uploadId);
      }),
    async stat(digest) {
      const blob = blobs.get(digest);
      return blob === undefined ? undefined : { digest, size: blob.size };
    },
    read,
    async delete(digest) {
      blobs.delete(digest);
    },
    async close() {},
  };
};

/**
 * Yields the part of `chunks` inside the inclusive `range` as views into the stored buffers:
 * no copy of the blob, so readers must not write into what they receive.
 */
async function* sliceChunks(
  chunks: ReadonlyArray<Buffer>,
  { start, end }: ByteRange,
): AsyncGenerator<Uint8Array> {
  let chunkStart = 0;
  for (const chunk of chunks) {
    const chunkEnd = chunkStart + chunk.byteLength; // exclusive
    if (chunkStart > end) return;
    if (chunkEnd > start)
      yield chunk.subarray(Math.max(start - chunkStart, 0), Math.min(end + 1, chunkEnd) - chunkStart);
    chunkStart = chunkEnd;
  }
}
