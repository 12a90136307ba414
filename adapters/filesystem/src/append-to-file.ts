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
 * Written bytes left unflushed before a flush starts in the background (see appendToFile). A blob
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
 * Writes `bytes` into the existing file at `path` from `position` on, feeding each piece to `hash`
 * as it arrives (one pass; a piece is held only until its batch of WRITE_BATCH_BYTES is written),
 * and resolves to the new length. Every FLUSH_BEHIND_BYTES written, a flush of the file starts
 * behind the writes (one at a time; awaited before the file is closed; its failure is left to the
 * durable flush to report). When the source or a write fails, the file is cut back to
 * `position` and the error rethrown; `onCutFailed` runs if even that fails, so the caller can stop
 * trusting what it knew.
 */
export const appendToFile = async (
  path: string,
  position: number,
  bytes: AsyncIterable<Uint8Array> | Uint8Array,
  hash: Hash,
  onCutFailed: () => void,
): Promise<number> => {
  const file = await open(path, "r+");
  let end = position; // of what is written
  let batch: Uint8Array[] = [];
  let batched = 0;
  let unflushed = 0;
  let flushing: Promise<void> | undefined;
  const write = async () => {
    await writeBatch(file, batch, end);
    end += batched;
    unflushed += batched;
    batch = [];
    batched = 0;
    // One flush at a time, not awaited: its only purpose is to leave less for the durable one.
    if (flushing === undefined && unflushed >= FLUSH_BEHIND_BYTES) {
      unflushed = 0;
      flushing = file
        .datasync()
        .catch(() => undefined)
        .finally(() => {
          flushing = undefined;
        });
    }
  };
  try {
    for await (const piece of bytes instanceof Uint8Array ? [bytes] : bytes) {
      hash.update(piece);
      batch.push(piece);
      batched += piece.byteLength;
      if (batched >= WRITE_BATCH_BYTES) await write();
    }
    if (batched > 0) await write();
    return end;
  } catch (error) {
    await file.truncate(position).catch(onCutFailed);
    throw error;
  } finally {
    await flushing;
    await file.close();
  }
};
