import { createHash, type Hash } from "node:crypto";
import { mkdir, open, unlink } from "node:fs/promises";
import {
  type AppendResultInfo,
  type BlobInfo,
  BlobMismatchError,
  type BlobStore,
  createKeyedLock,
  sha256Digest,
  UploadOffsetError,
  UploadUnknownError,
  verifyUpload,
} from "@berth/engine";
import { appendToFile } from "./append-to-file.js";
import { deleteBlobFile, readBlobFile, sizeOf, statBlobFile } from "./blob-files.js";
import { blobLayout } from "./blob-layout.js";
import { ignoreMissingFile, isExistingFile, isMissingFile } from "./file-errors.js";
import { hashFile } from "./hash-file.js";
import { moveDurably } from "./move-durably.js";

export interface FilesystemBlobStoreOptions {
  /** Holds `uploads/` and `blobs/` (created as needed); processes may share it (see below). */
  readonly directory: string;
}

/** What an upload has accepted: its file's length and the running sha256 over those bytes. */
interface UploadState {
  readonly size: number;
  readonly hash: Hash;
}

/**
 * A BlobStore on the local filesystem. An upload is a file that appends extend in place; finishing
 * renames it into the content-addressed tree, so a blob is never copied. Operations on one upload
 * run one at a time (an in-process lock), so of two appends at the same offset in one process
 * exactly one is accepted. Processes sharing the directory may take turns on an upload, but two of
 * them appending to it at once are not refused (and could mix their bytes): for that, use a store
 * that commits appends (S3, PostgreSQL).
 *
 * The running hash of each upload lives in memory, so an append hashes only its own bytes. After a
 * restart, or when the file's length shows another process appended, the next operation on the
 * upload rebuilds it by reading the file once.
 * The file's length is the upload's size; a crash in the middle of an append can leave bytes that
 * were never acknowledged, and the engine then asks the client to start that upload again.
 */
export const createFilesystemBlobStore = (options: FilesystemBlobStoreOptions): BlobStore => {
  const layout = blobLayout(options.directory);
  const uploads = new Map<string, UploadState>();
  const uploadLock = createKeyedLock();

  const uploadPathOf = (uploadId: string): string => {
    const path = layout.uploadPath(uploadId);
    if (path === undefined) throw new UploadUnknownError(uploadId);
    return path;
  };

  /** The state this process knows, if the file still has its length (no other process appended). */
  const knownState = async (uploadId: string): Promise<UploadState | undefined> => {
    const known = uploads.get(uploadId);
    return known !== undefined && (await sizeOf(uploadPathOf(uploadId))) === known.size ? known : undefined;
  };

  /**
   * The upload's state, rebuilt from its file when this process has none, or when the file's length
   * is not the one it knows: another process sharing the directory appended. Call under its lock.
   */
  const uploadState = async (uploadId: string): Promise<UploadState> => {
    const known = await knownState(uploadId);
    if (known !== undefined) return known;
    uploads.delete(uploadId);
    try {
      const rebuilt = await hashFile(uploadPathOf(uploadId));
      uploads.set(uploadId, rebuilt);
      return rebuilt;
    } catch (error) {
      throw isMissingFile(error) ? new UploadUnknownError(uploadId) : error;
    }
  };

  /** Removes the upload's file and state; a missing file is already gone. Call under its lock. */
  const discardUpload = async (uploadId: string): Promise<void> => {
    uploads.delete(uploadId);
    await unlink(uploadPathOf(uploadId)).catch(ignoreMissingFile);
  };

  const createUpload = async (uploadId: string) => {
    const path = layout.uploadPath(uploadId);
    if (path === undefined) throw new Error(`"${uploadId}" cannot name an upload: use a uuid`);
    return uploadLock.run(uploadId, async () => {
      await mkdir(layout.uploadsDirectory, { recursive: true });
      try {
        await (await open(path, "wx")).close();
        uploads.set(uploadId, { size: 0, hash: createHash("sha256") });
      } catch (error) {
        if (!isExistingFile(error)) throw error; // an existing upload is handed back as it is
      }
      return { uploadId, size: (await uploadState(uploadId)).size };
    });
  };

  const appendToUpload = async (
    uploadId: string,
    offset: number,
    chunk: AsyncIterable<Uint8Array> | Uint8Array,
  ): Promise<AppendResultInfo> =>
    uploadLock.run(uploadId, async () => {
      const before = await uploadState(uploadId);
      if (offset !== before.size) throw new UploadOffsetError(uploadId, before.size, offset);
      const hash = before.hash.copy();
      const forget = () => uploads.delete(uploadId); // the file's length is unknown: re-read it next time
      const size = await appendToFile(uploadPathOf(uploadId), offset, chunk, hash, forget).catch(
        (error: unknown) => {
          throw isMissingFile(error) ? new UploadUnknownError(uploadId) : error;
        },
      );
      uploads.set(uploadId, { size, hash });
      return { size, digest: sha256Digest(hash) };
    });

  const uploadStatus = async (uploadId: string): Promise<AppendResultInfo> => {
    // A known state whose file has its length is answered at once; a longer file is an append
    // streaming in (this process's: wait for it) or one another process made (rebuild).
    const { size, hash } =
      (await knownState(uploadId)) ?? (await uploadLock.run(uploadId, () => uploadState(uploadId)));
    return { size, digest: sha256Digest(hash) };
  };

  const finishUpload = async (uploadId: string, expected: BlobInfo): Promise<BlobInfo> =>
    uploadLock.run(uploadId, async () => {
      const { size, hash } = await uploadState(uploadId);
      const finished = await verifyUpload(uploadId, expected, size, () => hash);
      if (finished instanceof BlobMismatchError) {
        await discardUpload(uploadId);
        throw finished;
      }
      const { digest } = finished;
      const target = layout.blobPath(digest);
      if (target === undefined) throw new Error(`sha256Digest produced an unusable digest ${digest}`);
      if ((await sizeOf(target)) === undefined) await moveDurably(uploadPathOf(uploadId), target);
      await discardUpload(uploadId); // the same bytes are already a blob, or the file was moved
      return { digest, size };
    });

  return {
    createUpload,
    appendToUpload,
    uploadStatus,
    finishUpload,
    abortUpload: (uploadId) =>
      layout.uploadPath(uploadId) === undefined
        ? Promise.resolve()
        : uploadLock.run(uploadId, () => discardUpload(uploadId)),
    stat: (digest) => statBlobFile(layout, digest),
    read: (digest, range, options) => readBlobFile(layout, digest, range, options?.lend === true),
    delete: (digest) => deleteBlobFile(layout, digest),
    async close() {},
  };
};
