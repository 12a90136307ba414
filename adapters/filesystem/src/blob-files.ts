import { createReadStream } from "node:fs";
import { open, stat, unlink } from "node:fs/promises";
import {
  type BlobDigest,
  type BlobInfo,
  BlobUnknownError,
  type ByteRange,
  resolveByteRange,
} from "@berth/engine";
import type { BlobLayout } from "./blob-layout.js";
import { ignoreMissingFile, isMissingFile } from "./file-errors.js";

/** A file's length, or undefined when there is no such file. */
export const sizeOf = async (path: string): Promise<number | undefined> => {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
};

/**
 * How much one read takes from a blob file. A read stream's default (64 KiB) costs a trip to the
 * thread pool and a chunk through every stream on the way per 64 KiB; pulls of large blobs ran at
 * a third of what the disk gives.
 */
export const READ_CHUNK_BYTES = 1024 * 1024;

/** Streams the inclusive range straight from the file; nothing is opened until the caller reads. */
async function* readFileRange(
  path: string,
  digest: BlobDigest,
  { start, end }: ByteRange,
): AsyncGenerator<Uint8Array> {
  if (end < start) return; // the empty blob
  try {
    yield* createReadStream(path, { start, end, highWaterMark: READ_CHUNK_BYTES });
  } catch (error) {
    // Deleted between the size check and the first read: an error, never a short blob.
    throw isMissingFile(error) ? new BlobUnknownError(digest) : error;
  }
}

/** How many buffers a lending read takes turns with: a chunk's memory is reused two chunks later. */
const LENT_BUFFERS = 3;

/**
 * The same, for a caller done with each chunk before it asks for the next (BlobReadOptions.lend):
 * the chunks are views of a few buffers read into in turn. A pull of 100 MiB otherwise allocates
 * 100 MiB of fresh buffers, and collecting them cost more CPU than the rest of the pull.
 */
async function* lendFileRange(
  path: string,
  digest: BlobDigest,
  { start, end }: ByteRange,
): AsyncGenerator<Uint8Array> {
  if (end < start) return; // the empty blob
  const file = await open(path, "r").catch((error: unknown) => {
    throw isMissingFile(error) ? new BlobUnknownError(digest) : error;
  });
  try {
    const length = Math.min(READ_CHUNK_BYTES, end + 1 - start);
    const buffers = Array.from({ length: LENT_BUFFERS }, () => Buffer.allocUnsafeSlow(length));
    for (let at = start, turn = 0; at <= end; turn++) {
      const buffer = buffers[turn % LENT_BUFFERS] as Buffer;
      const { bytesRead } = await file.read(buffer, 0, Math.min(length, end + 1 - at), at);
      if (bytesRead === 0) throw new Error(`the file of ${digest} ended before its size`);
      at += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/** The blob's size from its file; undefined when there is none (or `digest` cannot name one). */
export const statBlobFile = async (layout: BlobLayout, digest: BlobDigest): Promise<BlobInfo | undefined> => {
  const path = layout.blobPath(digest);
  const size = path === undefined ? undefined : await sizeOf(path);
  return size === undefined ? undefined : { digest, size };
};

/** The blob's bytes (or the inclusive `range` of them) from its file; BlobUnknownError if absent. */
export const readBlobFile = async (
  layout: BlobLayout,
  digest: BlobDigest,
  range?: ByteRange,
  lend = false,
): Promise<AsyncIterable<Uint8Array>> => {
  const path = layout.blobPath(digest);
  const size = path === undefined ? undefined : await sizeOf(path);
  if (path === undefined || size === undefined) throw new BlobUnknownError(digest);
  return (lend ? lendFileRange : readFileRange)(path, digest, resolveByteRange(range, size));
};

/** Removes the blob's file; a missing one is already gone. */
export const deleteBlobFile = async (layout: BlobLayout, digest: BlobDigest): Promise<void> => {
  const path = layout.blobPath(digest);
  if (path !== undefined) await unlink(path).catch(ignoreMissingFile);
};
