import { join } from "node:path";
import type { BlobDigest } from "@berth/engine";

/** Ids become file names: only plain names pass, so none can climb out of the directory. */
const UPLOAD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const SHA256_DIGEST = /^sha256:([0-9a-f]{64})$/;

/**
 * Where bytes live under the store's directory: `uploads/<uploadId>` while they arrive, then
 * `blobs/sha256/<first two hex>/<hex>`, content-addressed (the two-hex level keeps directories small).
 */
export interface BlobLayout {
  readonly uploadsDirectory: string;
  /** The upload's file, or undefined when the id cannot name one. */
  uploadPath(uploadId: string): string | undefined;
  /** The blob's file, or undefined when `digest` is not a sha256 digest. */
  blobPath(digest: BlobDigest): string | undefined;
}

export const blobLayout = (directory: string): BlobLayout => {
  const uploadsDirectory = join(directory, "uploads");
  return {
    uploadsDirectory,
    uploadPath: (uploadId) => (UPLOAD_ID.test(uploadId) ? join(uploadsDirectory, uploadId) : undefined),
    blobPath(digest) {
      const hex = SHA256_DIGEST.exec(digest)?.[1];
      return hex === undefined ? undefined : join(directory, "blobs", "sha256", hex.slice(0, 2), hex);
    },
  };
};
