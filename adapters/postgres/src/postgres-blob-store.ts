import {
  type AppendResultInfo,
  type BlobDigest,
  type BlobInfo,
  BlobMismatchError,
  type BlobStore,
  BlobUnknownError,
  type ByteRange,
  resolveByteRange,
  sha256Digest,
} from "@berth/engine";
import type { Kysely } from "kysely";
import { appendAttempt } from "./append-attempt.js";
import { finishUploadIn } from "./finish-upload.js";
import { readBlobChunks } from "./read-blob-chunks.js";
import { createRunningHashes } from "./running-hashes.js";
import { type BerthDatabase, DEFAULT_SCHEMA } from "./schema.js";
import { uploadSize } from "./upload-size.js";

export interface PostgresBlobStoreOptions {
  /** Any Kysely on a Postgres dialect; the store never closes it. */
  readonly db: Kysely<BerthDatabase>;
  /** The schema holding the tables (migrated with `migrateToLatest(db, schema)`); default "berth". */
  readonly schema?: string;
  /** Bytes per stored row (default 1 MiB): appends are cut into rows of this size as they arrive. */
  readonly chunkSize?: number;
  /** Rows fetched per query when reading a blob or rebuilding a running hash (default 4). */
  readonly readBatchRows?: number;
}

/**
 * A BlobStore in Postgres bytea rows. No connection or transaction waits on a client: an append
 * streams its bytes into rows of its own, one short statement per row, and a short transaction then
 * locks the upload's row, checks the offset and adopts them (append-attempt.ts). So of two appends at
 * one offset exactly one is accepted, and a failed append leaves nothing the upload counts.
 */
export const createPostgresBlobStore = (options: PostgresBlobStoreOptions): BlobStore => {
  const db = options.db.withSchema(options.schema ?? DEFAULT_SCHEMA);
  const chunkSize = options.chunkSize ?? 1024 * 1024;
  const batchRows = options.readBatchRows ?? 4;
  const hashes = createRunningHashes(batchRows);

  const appendToUpload = async (
    uploadId: string,
    offset: number,
    chunk: AsyncIterable<Uint8Array> | Uint8Array,
  ): Promise<AppendResultInfo> => {
    const { size, hash } = await appendAttempt({ db, hashes, chunkSize, uploadId, offset, chunk });
    hashes.remember(uploadId, size, hash);
    return { size, digest: sha256Digest(hash) };
  };

  const finishUpload = async (uploadId: string, expected: BlobInfo): Promise<BlobInfo> => {
    const outcome = await db.transaction().execute((trx) => finishUploadIn(trx, hashes, uploadId, expected));
    hashes.forget(uploadId);
    if (outcome instanceof BlobMismatchError) throw outcome; // thrown after the commit: the discard stays
    return outcome;
  };

  const uploadStatus = async (uploadId: string): Promise<AppendResultInfo> => {
    // One snapshot for the size and, when the hash must be rebuilt, the chunks below it.
    return db
      .transaction()
      .setIsolationLevel("repeatable read")
      .execute(async (trx) => {
        const size = await uploadSize(trx, uploadId);
        return { size, digest: sha256Digest(await hashes.hashAt(trx, uploadId, size)) };
      });
  };

  const stat = async (digest: BlobDigest): Promise<BlobInfo | undefined> => {
    const row = await db.selectFrom("blobs").select("size").where("digest", "=", digest).executeTakeFirst();
    return row === undefined ? undefined : { digest, size: Number(row.size) };
  };

  const read = async (digest: BlobDigest, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> => {
    const blob = await stat(digest);
    if (blob === undefined) throw new BlobUnknownError(digest);
    return readBlobChunks(db, digest, resolveByteRange(range, blob.size), batchRows);
  };

  return {
    async createUpload(uploadId) {
      await db
        .insertInto("uploads")
        .values({ upload_id: uploadId })
        .onConflict((conflict) => conflict.column("upload_id").doNothing())
        .execute();
      // UploadUnknownError when it was aborted in between.
      return { uploadId, size: await uploadSize(db, uploadId) };
    },
    appendToUpload,
    uploadStatus,
    finishUpload,
    async abortUpload(uploadId) {
      await db.deleteFrom("uploads").where("upload_id", "=", uploadId).execute();
      hashes.forget(uploadId);
    },
    stat,
    read,
    async delete(digest) {
      await db.deleteFrom("blobs").where("digest", "=", digest).execute();
    },
    async close() {},
  };
};
