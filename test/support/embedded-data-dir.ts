/** Looking into an embedded server's data directory: where its blobs and uploads are on disk. */
import { access, readdir } from "node:fs/promises";
import { join } from "node:path";

export const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Where the filesystem blob store keeps a blob of the embedded storage. */
export const blobFile = (dataDir: string, digest: string): string => {
  const hex = digest.slice("sha256:".length);
  return join(dataDir, "blobs", "blobs", "sha256", hex.slice(0, 2), hex);
};

/** The upload sessions whose bytes are on disk. */
export const uploadFiles = (dataDir: string): Promise<string[]> =>
  readdir(join(dataDir, "blobs", "uploads")).catch(() => []);

/** Polls `check` every 100 ms until it holds or `ms` pass; answers whether it held. */
export const eventually = async (check: () => Promise<boolean>, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
};
