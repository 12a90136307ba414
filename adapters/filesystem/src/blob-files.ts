import { createReadStream } from "node:fs";
import { type FileHandle, open, stat, unlink } from "node:fs/promises";
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

/**
 * How many buffers a lending read takes turns with: the chunk the caller holds, and the next one,
 * read while the caller sends it. Asking for the next chunk gives the held one back, and its buffer
 * is read into again from then on.
 */
const LENT_BUFFERS = 2;

/** Reads `length` bytes at `position` into the start of `buffer`: until they are all in, or the file ends. */
const readFully = async (file: FileHandle, buffer: Buffer, length: number, position: number) => {
  let read = 0;
  while (read < length) {
    const { bytesRead } = await file.read(buffer, read, length - read, position + read);
    if (bytesRead === 0) return read;
    read += bytesRead;
  }
  return read;
};

/**
 * The same, for a caller done with each chunk before it asks for the next (BlobReadOptions.lend):
 * the chunks are views of a few buffers read into in turn. A pull of 100 MiB otherwise allocates
 * 100 MiB of fresh buffers, and collecting them cost more CPU than the rest of the pull. The next
 * chunk is read while the caller sends this one: pulls by curl 8–21% faster (docs/BENCHMARKS.md).
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
  const chunkBytes = Math.min(READ_CHUNK_BYTES, end + 1 - start);
  const buffers = Array.from({ length: LENT_BUFFERS }, () => Buffer.allocUnsafeSlow(chunkBytes));
  const readChunk = async (turn: number): Promise<Uint8Array> => {
    const at = start + turn * chunkBytes;
    const length = Math.min(chunkBytes, end + 1 - at);
    const buffer = buffers[turn % LENT_BUFFERS] as Buffer;
    if ((await readFully(file, buffer, length, at)) < length)
      throw new Error(`the file of ${digest} ended before its size`);
    return buffer.subarray(0, length);
  };
  const turns = Math.ceil((end + 1 - start) / chunkBytes);
  let ahead: Promise<Uint8Array> | undefined = readChunk(0);
  try {
    for (let turn = 0; ahead !== undefined; turn++) {
      const chunk: Promise<Uint8Array> = ahead;
      ahead = turn + 1 < turns ? readChunk(turn + 1) : undefined;
      ahead?.catch(() => undefined); // seen when its turn comes; closing waits for it below
      yield await chunk;
    }
  } finally {
    await ahead?.catch(() => undefined); // a caller gone early: no read still writing into a buffer
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
