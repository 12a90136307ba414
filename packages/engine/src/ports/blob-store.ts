/**
 * The blob store port: bytes only. It knows uploads, offsets, sizes and digests, never manifests or
 * repositories (distribution's split of bytes and meaning). Blobs are global and content-addressed;
 * repositories link to them through events in the event store.
 */
import type { JointBlobSteps } from "./joint-steps.js";

/** `sha256:` followed by 64 lowercase hex digits. */
export type BlobDigest = string;

export interface UploadStatus {
  readonly uploadId: string;
  /** Bytes accepted so far: the next append must start at this offset. */
  readonly size: number;
}

export interface BlobInfo {
  readonly digest: BlobDigest;
  readonly size: number;
}

/** The append did not start at the upload's current size: nothing was written. */
export class UploadOffsetError extends Error {
  override readonly name = "UploadOffsetError";
  constructor(
    readonly uploadId: string,
    readonly expectedOffset: number,
    readonly actualOffset: number,
  ) {
    super(`Upload ${uploadId} is at byte ${expectedOffset}; an append at ${actualOffset} was refused`);
  }
}

export class UploadUnknownError extends Error {
  override readonly name = "UploadUnknownError";
  constructor(readonly uploadId: string) {
    super(`Upload ${uploadId} does not exist`);
  }
}

/** Finishing an upload found other bytes than the caller declared: the upload was discarded. */
export class BlobMismatchError extends Error {
  override readonly name = "BlobMismatchError";
  constructor(
    readonly uploadId: string,
    readonly reason: "size" | "digest",
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Upload ${uploadId}: expected ${reason} ${expected}, got ${actual}`);
  }
}

export class BlobUnknownError extends Error {
  override readonly name = "BlobUnknownError";
  constructor(readonly digest: BlobDigest) {
    super(`Blob ${digest} does not exist`);
  }
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export interface AppendResultInfo {
  /** Upload size after the append. */
  readonly size: number;
  /** sha256 of all bytes accepted so far (the running hash, computed while writing). */
  readonly digest: BlobDigest;
}

export interface BlobReadOptions {
  /**
   * The caller is done with each chunk before it asks for the next (it copies it, or writes it to
   * a socket and waits for the write): the store may then lend its chunks, reusing their memory
   * for later ones, instead of allocating each anew. A store is free to ignore this.
   */
  readonly lend?: boolean;
}

export interface BlobStore {
  /** Starts an empty upload session with the caller's id (a uuid). */
  createUpload(uploadId: string): Promise<UploadStatus>;

  /**
   * Streams `chunk` into the upload at `offset`, hashing as it writes (one pass, no re-read).
   * `offset` must equal the current size, else UploadOffsetError and nothing is written.
   * If the stream fails midway the upload stays at its previous size.
   * The chunks are handed over: the store may keep them as they are, so callers pass buffers they
   * will not write to again (fresh network or decode buffers, as the engine does).
   */
  appendToUpload(
    uploadId: string,
    offset: number,
    chunk: AsyncIterable<Uint8Array> | Uint8Array,
  ): Promise<AppendResultInfo>;

  /** Size and running digest of an upload; UploadUnknownError when it does not exist. */
  uploadStatus(uploadId: string): Promise<AppendResultInfo>;

  /**
   * Turns the upload into the blob `expected.digest`: checks size, then digest, then makes the blob
   * readable (idempotent when the blob already exists) and removes the upload. On a mismatch the
   * upload is discarded and BlobMismatchError is thrown.
   */
  finishUpload(uploadId: string, expected: BlobInfo): Promise<BlobInfo>;

  /** Discards an upload and its bytes; unknown ids are ignored. */
  abortUpload(uploadId: string): Promise<void>;

  /** Size of a blob, or undefined when it does not exist. */
  stat(digest: BlobDigest): Promise<BlobInfo | undefined>;

  /**
   * The blob's bytes (or the inclusive `range` of them) as a stream; BlobUnknownError if absent.
   * A range must lie inside the blob (0 <= start <= end < size), else RangeError.
   */
  read(digest: BlobDigest, range?: ByteRange, options?: BlobReadOptions): Promise<AsyncIterable<Uint8Array>>;

  /** Removes a blob nothing references any more (the caller decides that); unknown is a no-op. */
  delete(digest: BlobDigest): Promise<void>;

  /**
   * Optional: a URL anyone may GET the blob's bytes from (Range included) for `expiresInSeconds`,
   * without going through Berth (an S3 presigned URL). Stores that cannot hand out such URLs leave
   * it out, and the front ends then serve the bytes themselves. The caller checks that the blob
   * exists and that the asker may read it.
   */
  presignRead?(digest: BlobDigest, expiresInSeconds: number): Promise<string>;

  /**
   * Optional: writes that commit inside an append of the event store of the same storage (both in
   * one database), so a layer upload costs one round trip per request (see joint-steps.ts).
   */
  readonly joint?: JointBlobSteps;

  close(): Promise<void>;
}
