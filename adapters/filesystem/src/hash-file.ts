import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { READ_CHUNK_BYTES } from "./blob-files.js";

/** A file's length and the sha256 of its bytes, read once, READ_CHUNK_BYTES at a time. */
export const hashFile = async (path: string): Promise<{ size: number; hash: Hash }> => {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK_BYTES })) {
    const bytes: Buffer = chunk;
    hash.update(bytes);
    size += bytes.byteLength;
  }
  return { size, hash };
};
