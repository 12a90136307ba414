/** Helpers of the BlobStore contract cases: blobs, uploads and streams made from plain bytes. */
import { randomUUID } from "node:crypto";
import type { BlobDigest, BlobInfo, BlobStore } from "@berth/engine";
import { sha256Digest } from "./sha256-digest.js";

/** What a store must report for `bytes`: their sha256 and length. */
export const blobInfoOf = (bytes: Uint8Array): BlobInfo => ({
  digest: sha256Digest(bytes),
  size: bytes.byteLength,
});

/** `bytes` cut at the given positions (taken modulo its length, in any order). */
export const splitAt = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Uint8Array[] => {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.byteLength]) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  return pieces;
};

/** A new upload holding `bytes`, appended in one piece. */
export const uploadOf = async (store: BlobStore, bytes: Uint8Array): Promise<string> => {
  const uploadId = randomUUID();
  await store.createUpload(uploadId);
  if (bytes.byteLength > 0) await store.appendToUpload(uploadId, 0, bytes);
  return uploadId;
};

/** Stores `bytes` as a blob through a fresh upload. */
export const storeBlob = async (store: BlobStore, bytes: Uint8Array): Promise<BlobInfo> =>
  store.finishUpload(await uploadOf(store, bytes), blobInfoOf(bytes));

/** Yields `pieces` one by one, pausing between them like a network stream, then fails if `failure` is set. */
export async function* slowStream(
  pieces: ReadonlyArray<Uint8Array>,
  pauseMs: number,
  failure?: Error,
): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) {
    yield piece;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  if (failure !== undefined) throw failure;
}

/** Compares bytes by length and digest: as strict as element by element, and fast on megabytes. */
export const fingerprint = (bytes: Uint8Array): { length: number; sha256: BlobDigest } => ({
  length: bytes.byteLength,
  sha256: sha256Digest(bytes),
});
