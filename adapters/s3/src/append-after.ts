import { randomUUID } from "node:crypto";
import { type AppendResultInfo, sha256Digest, UploadOffsetError, UploadUnknownError } from "@berth/engine";
import { type Bucket, deleteKeys, deletePrefix, getBytes, objectSize } from "./bucket.js";
import type { UploadKeys } from "./s3-layout.js";
import { readCommits, sizeAfter, writeCommit } from "./upload-log.js";
import type { UploadView, UploadViews } from "./upload-views.js";
import { writeBlocks } from "./write-blocks.js";

export interface AppendContext {
  readonly bucket: Bucket;
  readonly blockSize: number;
  readonly views: UploadViews;
}

/**
 * Appends `chunk` to an upload that `view` saw at its current size: writes the blocks, then commits
 * at that size. Throws UploadOffsetError when another append (in any process) committed there
 * first, UploadUnknownError when the upload was aborted meanwhile; either way, and when the stream
 * fails, the blocks it wrote are deleted and the upload is as it was.
 */
export const appendAfter = async (
  { bucket, blockSize, views }: AppendContext,
  {
    uploadId,
    keys,
    view,
  }: { readonly uploadId: string; readonly keys: UploadKeys; readonly view: UploadView },
  chunk: AsyncIterable<Uint8Array> | Uint8Array,
): Promise<AppendResultInfo> => {
  const { size: offset, hash } = view;
  const attemptId = randomUUID();
  const written: string[] = [];
  try {
    const block = Math.floor(offset / blockSize);
    const last = view.commits.at(-1);
    // The last commit holds the upload's last block; an append rewrites the part already there.
    const head =
      offset % blockSize === 0 || last === undefined
        ? new Uint8Array()
        : await getBytes(bucket, keys.blockKey(last.attempt, block));
    const end = await writeBlocks({ bucket, keys, blockSize, attemptId, offset, head, hash, written }, chunk);
    if (end === offset) return { size: offset, digest: sha256Digest(hash) };
    const commit = { start: offset, end, attempt: attemptId };
    if (!(await writeCommit(bucket, keys, commit))) {
      const now = sizeAfter(await readCommits(bucket, keys, uploadId, view.commits));
      throw new UploadOffsetError(uploadId, now, offset);
    }
    written.length = 0; // committed: these blocks are the upload's now
    if ((await objectSize(bucket, keys.openKey)) === undefined) {
      await deletePrefix(bucket, keys.prefix); // aborted while this append streamed
      throw new UploadUnknownError(uploadId);
    }
    views.remember(uploadId, { commits: [...view.commits, commit], size: end, hash: hash.copy() });
    return { size: end, digest: sha256Digest(hash) };
  } catch (error) {
    await deleteKeys(bucket, written).catch(() => {}); // left over only if S3 is unreachable
    throw error;
  }
};
