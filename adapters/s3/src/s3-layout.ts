import type { BlobDigest } from "@berth/engine";

/** Ids become key segments: only plain names pass, so none can reach another upload's keys. */
const UPLOAD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const SHA256_DIGEST = /^sha256:([0-9a-f]{64})$/;
/** Offsets and block numbers are zero-padded so that S3's lexical listing order is numeric order. */
const pad = (n: number) => String(n).padStart(16, "0");

/**
 * Where bytes live in the bucket, under the store's prefix:
 *
 * - `blobs/sha256/<hex>`: a blob, content-addressed (what reads, stat, delete and presigned URLs name)
 * - `uploads/<id>/log/open`: the upload exists (created by createUpload, removed first by abort)
 * - `uploads/<id>/log/<start>`: the commit of the append that began at byte `start` (created once,
 *   with `If-None-Match: *`: of two appends at one offset exactly one commits)
 * - `uploads/<id>/data/<attempt>/<block>`: the bytes an append wrote, one object per block
 */
export interface S3Layout {
  /** The blob's key, or undefined when `digest` is not a sha256 digest. */
  blobKey(digest: BlobDigest): string | undefined;
  /** The upload's keys, or undefined when the id cannot name an upload. */
  upload(uploadId: string): UploadKeys | undefined;
}

export interface UploadKeys {
  /** Every key of the upload starts with it. */
  readonly prefix: string;
  /** The commits and the `open` marker (which sorts after them). */
  readonly logPrefix: string;
  readonly openKey: string;
  commitKey(start: number): string;
  /** The start offset a key under logPrefix commits, or undefined for the marker. */
  commitStart(key: string): number | undefined;
  blockKey(attemptId: string, block: number): string;
}

/** `""` or `a/b` (a trailing slash is added), without a leading slash. */
export const normalizePrefix = (prefix: string | undefined): string => {
  const trimmed = (prefix ?? "").replace(/^\/+/, "");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
};

export const s3Layout = (prefix: string): S3Layout => ({
  blobKey(digest) {
    const hex = SHA256_DIGEST.exec(digest)?.[1];
    return hex === undefined ? undefined : `${prefix}blobs/sha256/${hex}`;
  },
  upload(uploadId) {
    if (!UPLOAD_ID.test(uploadId)) return undefined;
    const uploadPrefix = `${prefix}uploads/${uploadId}/`;
    const logPrefix = `${uploadPrefix}log/`;
    return {
      prefix: uploadPrefix,
      logPrefix,
      openKey: `${logPrefix}open`,
      commitKey: (start) => `${logPrefix}${pad(start)}`,
      commitStart(key) {
        const name = key.slice(logPrefix.length);
        return /^[0-9]{16}$/.test(name) ? Number(name) : undefined;
      },
      blockKey: (attemptId, block) => `${uploadPrefix}data/${attemptId}/${pad(block)}`,
    };
  },
});
