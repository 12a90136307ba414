import type { Hash } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";

/**
 * How many bytes of a streamed append go to the file in one write. A socket hands over up to 64 KiB
 * at a time, and each write is a trip to the thread pool: a handoff and a wake-up of two threads.
 * One `writev` per 256 KiB makes a quarter of them and cut a push's server CPU by a sixth (section 8
 * of docs/BENCHMARKS.md). Larger batches did no better: the pieces no longer fit in a core's cache.
 */
export const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * Written bytes left unflushed before a flush starts in the background (see writerBehind). A blob
 * is flushed before it is recorded (move-durably.ts); flushing as the bytes arrive leaves that
 * flush, which the client waits for, little to do.
 */
export const FLUSH_BEHIND_BYTES = 8 * 1024 * 1024;

/** A positional write may take fewer bytes than offered: write until the piece is in. */
const writeAll = async (file: FileHandle, piece: Uint8Array, position: number): Promise<void> => {
  let written = 0;
  while (written < piece.byteLength) {
    const { bytesWritten } = await file.write(piece, written, piece.byteLength - written, position + written);
    written += bytesWritten;
  }
};

/** Writes `pieces` in order from `position` on: one `writev`, then whatever it did not take. */
const writeBatch = async (file: FileHandle, pieces: Uint8Array[], position: number): Promise<void> => {
  if (pieces.length === 1) return writeAll(file, pieces[0] as Uint8Array, position);
  let skip = (await file.writev(pieces, position)).bytesWritten;
  let at = position + skip;
  for (const piece of pieces) {
    if (skip >= piece.byteLength) {
      skip -= piece.byteLength;
      continue;
    }
    await writeAll(file, piece.subarray(skip), at);
    at += piece.byteLength - skip;
    skip = 0;
  }
};

/**
 * Writes batches at consecutive positions from `position` on, each one started while the caller
 * reads and hashes the next: at most one write in flight (a batch waits for the one before it), so
 * the socket and the disk are busy at the same time and at most two batches are held. Every
 * FLUSH_BEHIND_BYTES written, a flush of the file starts behind the writes (one at a time; its
 * failure is left to the durable flush to report).
 */
const writerBehind = (file: FileHandle, position: number) => {
  let queued = position; // end of what has been handed to a write
  let unflushed = 0;
  let writing: Promise<void> = Promise.resolve();
  let flushing: Promise<void> | undefined;
  const flushBehind = () => {
    if (flushing !== undefined || unflushed < FLUSH_BEHIND_BYTES) return;
    unflushed = 0;
    flushing = file
      .datasync()
      .catch(() => undefined)
      .finally(() => {
        flushing = undefined;
      });
  };
  return {
    /** Starts writing `pieces` once the write before has ended; rejects if that write failed. */
    async write(pieces: Uint8Array[], size: number): Promise<void> {
      await writing;
      const at = queued;
      queued += size;
      writing = writeBatch(file, pieces, at).then(() => {
        unflushed += size;
        flushBehind();
      });
      // Seen by the next write or by `end`; never an unhandled rejection in between.
      writing.catch(() => undefined);
    },
    /** The end of the file once the last write has ended (each waits for the one before); rejects if it failed. */
    async end(): Promise<number> {
      await writing;
      return queued;
    },
    /** Waits for the write in flight, failed or not, and for a flush behind it. */
    async idle(): Promise<void> {
      await writing.catch(() => undefined);
      await flushing;
    },
  };
};

/**
 * Writes `bytes` into the existing file at `path` from `position` on, feeding each piece to `hash`
 * as it arrives (one pass; a piece is held only until its batch of WRITE_BATCH_BYTES is written,
 * which happens while the next batch arrives: see writerBehind), and resolves to the new length.
 * When the source or a write fails, the file is cut back to `position` and the error rethrown;
 * `onCutFailed` runs if even that fails, so the caller can stop trusting what it knew.
 */
export const appendToFile = async (
  path: string,
  position: number,
  bytes: AsyncIterable<Uint8Array> | Uint8Array,
  hash: Hash,
  onCutFailed: () => void,
): Promise<number> => {
  const file = await open(path, "r+");
  const writer = writerBehind(file, position);
  let batch: Uint8Array[] = [];
  let batched = 0;
  try {
    for await (const piece of bytes instanceof Uint8Array ? [bytes] : bytes) {
      hash.update(piece);
      batch.push(piece);
      batched += piece.byteLength;
      if (batched < WRITE_BATCH_BYTES) continue;
      await writer.write(batch, batched);
      batch = [];
      batched = 0;
    }
    if (batched > 0) await writer.write(batch, batched);
    return await writer.end();
  } catch (error) {
    await writer.idle();
    await file.truncate(position).catch(onCutFailed);
    throw error;
  } finally {
    await writer.idle();
    await file.close();
  }
};
