import type { Hash } from "node:crypto";
import type { BlobDigest } from "../ports/blob-store.js";

/** The digest of what `hash` has seen so far; the hash itself keeps running. */
export const sha256Digest = (hash: Hash): BlobDigest => `sha256:${hash.copy().digest("hex")}`;
