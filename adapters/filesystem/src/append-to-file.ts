import type { Hash } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";

/** A positional write may take fewer bytes than offered: write until the piece is in. */
const writeAll = async (file: FileHandle, piece: Uint8Array, position: number): Promise<void> => {
  let written = 0;
  while (written < piece.byteLength) {
    const { bytesWritten } = await file.write(piece, written, piece.byteLength - written, position + written);
    written += bytesWritten;
  }
};

/**
 * Writes `bytes` into the existing file at `path` from `position` on, feeding each piece to `hash`
 * as it is written (one pass, nothing buffered beyond the piece in hand), and resolves to the new
 * length. When the source or a write fails, the file is cut back to `position` and the error
 * rethrown; `onCutFailed` runs if even that fails, so the caller can stop trusting what it knew.
 */
export const appendToFile = async (
  path: string,
  position: number,
  bytes: AsyncIterable<Uint8Array> | Uint8Array,
  hash: Hash,
  onCutFailed: () => void,
): Promise<number> => {
  const file = await open(path, "r+");
  let end = position;
  try {
    for await (const piece of bytes instanceof Uint8Array ? [bytes] : bytes) {
      await writeAll(file, piece, end);
      hash.update(piece);
      end += piece.byteLength;
    }
    return end;
  } catch (error) {
    await file.truncate(position).catch(onCutFailed);
    throw error;
  } finally {
    await file.close();
  }
};
