import {
  type AppendResultInfo,
  type BlobDigest,
  type BlobInfo,
  BlobMismatchError,
  type BlobStore,
  BlobUnknownError,
  type ByteRange,
  byteSource,
  resolveByteRange,
  sha256Digest,
  UploadOffsetError,
  UploadUnknownError,
} from "@berth/engine";
import type { Kysely, Transaction } from "kysely";
import { readBlobChunks } from "./read-blob-chunks.js";
import { rechunk } from "./rechunk.js";
import { createRunningHashes } from "./running-hashes.js";
import { type BerthDatabase, DEFAULT_SCHEMA } from "./schema.js";

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
 * A BlobStore in Postgres bytea rows. An append holds its upload's row lock (SELECT … FOR UPDATE) from
 * the offset check to the commit, so of two appends at one offset exactly one is accepted and a
 * failed append leaves nothing behind. The upload's connection stays busy while its bytes arrive.
 */
export function createPostgresBlobStore(options: PostgresBlobStoreOptions): BlobStore {
  const db = options.db.withSchema(options.schema ?? DEFAULT_SCHEMA);
  const chunkSize = options.chunkSize ?? 1024 * 1024;
  const batchRows = options.readBatchRows ?? 4;
  const hashes = createRunningHashes(batchRows);

  /** The upload's size, locking its row until the transaction ends. */
  async function lockUpload(trx: Transaction<BerthDatabase>, uploadId: string): Promise<number> {
    const row = await trx
      .selectFrom("uploads")
      .select("size")
      .where("upload_id", "=", uploadId)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined) throw new UploadUnknownError(uploadId);
    return Number(row.size);
  }

  async function appendToUpload(
    uploadId: string,
    offset: number,
    chunk: AsyncIterable<Uint8Array> | Uint8Array,
  ): Promise<AppendResultInfo> {
    const { size, hash } = await db.transaction().execute(async (trx) => {
      const current = await lockUpload(trx, uploadId);
      if (offset !== current) throw new UploadOffsetError(uploadId, current, offset);
      const hash = await hashes.hashAt(trx, uploadId, current);
      let size = current;
      for await (const piece of rechunk(byteSource(chunk), chunkSize)) {
        hash.update(piece);
        await trx
          .insertInto("upload_chunks")
          .values({ upload_id: uploadId, byte_offset: size, bytes: piece })
          .execute();
        size += piece.byteLength;
      }
      await trx.updateTable("uploads").set({ size }).where("upload_id", "=", uploadId).execute();
      return { size, hash };
    });
    hashes.remember(uploadId, size, hash);
    return { size, digest: sha256Digest(hash) };
  }

  async function finishUpload(uploadId: string, expected: BlobInfo): Promise<BlobInfo> {
    const outcome = await db.transaction().execute(async (trx): Promise<BlobInfo | BlobMismatchError> => {
      const size = await lockUpload(trx, uploadId);
      const discard = () => trx.deleteFrom("uploads").where("upload_id", "=", uploadId).execute();
      if (size !== expected.size) {
        await discard();
        return new BlobMismatchError(uploadId, "size", String(expected.size), String(size));
      }
      const digest = sha256Digest(await hashes.hashAt(trx, uploadId, size));
      if (digest !== expected.digest) {
        await discard();
        return new BlobMismatchError(uploadId, "digest", expected.digest, digest);
      }
      const created = await trx
        .insertInto("blobs")
        .values({ digest, size })
        .onConflict((conflict) => conflict.column("digest").doNothing())
        .returning("digest")
        .executeTakeFirst();
      // Whoever creates the blob row moves the bytes, inside the database; a later finish of the
      // same bytes finds the row and only drops its upload.
      if (created !== undefined) {
        await trx
          .insertInto("blob_chunks")
          .columns(["digest", "byte_offset", "bytes"])
          .expression((eb) =>
            eb
              .selectFrom("upload_chunks")
              .select([eb.cast<string>(eb.val(digest), "text").as("digest"), "byte_offset", "bytes"])
              .where("upload_id", "=", uploadId),
          )
          .execute();
      }
      await discard();
      return { digest, size };
    });
    hashes.forget(uploadId);
    if (outcome instanceof BlobMismatchError) throw outcome; // thrown after the commit: the discard stays
    return outcome;
  }

  async function uploadStatus(uploadId: string): Promise<AppendResultInfo> {
    // One snapshot for the size and, when the hash must be rebuilt, the chunks below it.
    return db
      .transaction()
      .setIsolationLevel("repeatable read")
      .execute(async (trx) => {
        const row = await trx
          .selectFrom("uploads")
          .select("size")
          .where("upload_id", "=", uploadId)
          .executeTakeFirst();
        if (row === undefined) throw new UploadUnknownError(uploadId);
        const size = Number(row.size);
        return { size, digest: sha256Digest(await hashes.hashAt(trx, uploadId, size)) };
      });
  }

  async function stat(digest: BlobDigest): Promise<BlobInfo | undefined> {
    const row = await db.selectFrom("blobs").select("size").where("digest", "=", digest).executeTakeFirst();
    return row === undefined ? undefined : { digest, size: Number(row.size) };
  }

  async function read(digest: BlobDigest, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> {
    const blob = await stat(digest);
    if (blob === undefined) throw new BlobUnknownError(digest);
    return readBlobChunks(db, digest, resolveByteRange(range, blob.size), batchRows);
  }

  return {
    async createUpload(uploadId) {
      await db
        .insertInto("uploads")
        .values({ upload_id: uploadId })
        .onConflict((conflict) => conflict.column("upload_id").doNothing())
        .execute();
      const row = await db
        .selectFrom("uploads")
        .select("size")
        .where("upload_id", "=", uploadId)
        .executeTakeFirst();
      if (row === undefined) throw new UploadUnknownError(uploadId); // aborted in between
      return { uploadId, size: Number(row.size) };
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
}
