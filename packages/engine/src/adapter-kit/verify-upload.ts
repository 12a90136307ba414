import type { Hash } from "node:crypto";
import { type BlobInfo, BlobMismatchError } from "../ports/blob-store.js";
import { sha256Digest } from "./sha256-digest.js";

/**
 * What finishing an upload of `size` bytes comes to when the caller declared `expected`: the blob,
 * or the mismatch for the store to throw once it has discarded the upload. The size is checked
 * first and the digest second, so `hashOf` (which may have to read the bytes again) runs only when
 * the sizes agree.
 */
export const verifyUpload = async (
  uploadId: string,
  expected: BlobInfo,
  size: number,
  hashOf: () => Hash | Promise<Hash>,
): Promise<BlobInfo | BlobMismatchError> => {
  if (size !== expected.size)
    return new BlobMismatchError(uploadId, "size", String(expected.size), String(size));
  const digest = sha256Digest(await hashOf());
  if (digest !== expected.digest) return new BlobMismatchError(uploadId, "digest", expected.digest, digest);
  return { digest, size };
};
