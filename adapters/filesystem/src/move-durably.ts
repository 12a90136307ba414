import { mkdir, open, rename } from "node:fs/promises";
import { dirname } from "node:path";

const flush = async (path: string, flags: string): Promise<void> => {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Moves the file `from` to `to` (creating `to`'s directory) so that once this resolves, `to` holds
 * every byte even after a power loss: the bytes are flushed before the rename, which is atomic, and
 * the directory after it, so the new name is on disk before the caller records the blob anywhere.
 */
export const moveDurably = async (from: string, to: string): Promise<void> => {
  await flush(from, "r+");
  await mkdir(dirname(to), { recursive: true });
  await rename(from, to);
  // Windows cannot open a directory for flushing; its renames are journaled by NTFS instead.
  if (process.platform !== "win32") await flush(dirname(to), "r");
};
