import { createHash, type Hash } from "node:crypto";
import type { Bucket } from "./bucket.js";
import type { UploadKeys } from "./s3-layout.js";
import { blockKeys, readUploadBytes } from "./upload-blocks.js";
import { type Commit, readCommits, sizeAfter } from "./upload-log.js";

/** An upload as S3 holds it: its commits, its size, and the running sha256 over its bytes. */
export interface UploadView {
  readonly commits: ReadonlyArray<Commit>;
  readonly size: number;
  /** A private copy: the caller may extend it. */
  readonly hash: Hash;
}

/**
 * The uploads this process has seen, with the running sha256 at the size it saw, so that an append
 * hashes only its own bytes. Uploads only grow and their bytes below a committed size never change:
 * when another process appended since (or this one restarted), the hash catches up by reading only
 * the bytes it has not seen. An entry nobody used for `idleMs` is dropped (the upload may have
 * ended through another process; if not, the hash is rebuilt).
 */
export interface UploadViews {
  /** Lists the upload's log now (UploadUnknownError when it is gone) and brings the hash up to date. */
  current(uploadId: string, keys: UploadKeys): Promise<UploadView>;
  /** Takes ownership of `view.hash`. */
  remember(uploadId: string, view: UploadView): void;
  forget(uploadId: string): void;
}

export const createUploadViews = (
  bucket: Bucket,
  blockSize: number,
  idleMs = 10 * 60 * 1000,
  clock: () => number = Date.now,
): UploadViews => {
  const views = new Map<string, UploadView & { usedAt: number }>();
  let prunedAt = clock();

  const remember = (uploadId: string, view: UploadView): void => {
    const now = clock();
    if (now - prunedAt >= idleMs / 10) {
      prunedAt = now;
      for (const [id, entry] of views) if (now - entry.usedAt >= idleMs) views.delete(id);
    }
    const known = views.get(uploadId);
    if (known === undefined || known.size < view.size) views.set(uploadId, { ...view, usedAt: now });
  };

  return {
    async current(uploadId, keys) {
      const known = views.get(uploadId);
      if (known !== undefined) known.usedAt = clock();
      const commits = await readCommits(bucket, keys, uploadId, known?.commits ?? []);
      const size = sizeAfter(commits);
      const resumable = known !== undefined && known.size <= size;
      const hash = resumable ? known.hash.copy() : createHash("sha256");
      const from = resumable ? known.size : 0;
      if (from < size) {
        const holders = blockKeys(keys, commits, blockSize);
        for await (const bytes of readUploadBytes(bucket, holders, blockSize, from, size)) hash.update(bytes);
      }
      const view = { commits, size, hash };
      remember(uploadId, { ...view, hash: hash.copy() });
      return view;
    },
    remember,
    forget: (uploadId) => {
      views.delete(uploadId);
    },
  };
};
