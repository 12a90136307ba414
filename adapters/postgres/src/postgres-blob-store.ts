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
  UploadUnknownError,
} from "@berth/engine";
import { type Kysely, sql } from "kysely";
import { appendAttempt } from "./append-attempt.js";
import { deferredFlush } from "./deferred-flush.js";
import { finishUploadIn } from "./finish-upload.js";
import { createJointBlobSteps } from "./joint-steps.js";
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
  /**
   * Set only when Berth's event log is in the same database (createPostgresStorage does): creating
   * an upload, adopting an append and finishing an upload then commit without waiting for their
   * WAL flush. The engine records each of them in the event log before it answers (the upload
   * opened, the part, the layer), and that synchronous commit's flush covers the earlier WAL: after
   * a crash either both are there or neither (deferred-flush.ts). Default false: those are flushed.
   * (A streamed append's rows never wait for theirs: they count only once adopted, later.)
   */
  readonly flushWithEventLog?: boolean;
  /**
   * Set only when Berth's event log is in the same database and its Postgres event store was made
   * with the same value (createPostgresStorage does): the store then offers joint steps, writes that
   * commit inside that store's appends (engine/ports/joint-steps.ts).
   */
  readonly jointStorage?: string;
}

/**
 * A BlobStore in Postgres bytea rows. No connection or transaction waits on a client: an append
 * streams its bytes into rows of its own, one short statement per row, and a short transaction then
 * locks the upload's row, checks the offset and adopts them (append-attempt.ts). So of two appends at
 * one offset exactly one is accepted, and a failed append leaves nothing the upload counts.
 */
export const createPostgresBlobStore = (options: PostgresBlobStoreOptions): BlobStore => {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const db = options.db.withSchema(schema);
  const chunkSize = options.chunkSize ?? 1024 * 1024;
  const batchRows = options.readBatchRows ?? 4;
  const hashes = createRunningHashes(batchRows);
  const deferFlush = options.flushWithEventLog ?? false;

  const appendToUpload = async (
    uploadId: string,
    offset: number,
    chunk: AsyncIterable<Uint8Array> | Uint8Array,
  ): Promise<AppendResultInfo> => {
    const { size, hash } = await appendAttempt({
      db,
      schema,
      deferFlush,
      hashes,
      chunkSize,
      uploadId,
      offset,
      chunk,
    });
    hashes.remember(uploadId, size, hash);
    return { size, digest: sha256Digest(hash) };
  };

  const finishUpload = async (uploadId: string, expected: BlobInfo): Promise<BlobInfo> => {
    // The usual case in one call: this process hashed the bytes as they came, and they match.
    const known = hashes.peek(uploadId, expected.size);
    if (known !== undefined && sha256Digest(known) === expected.digest) {
      const found = await sql<{ size: string | null }>`
        select ${sql.id(schema, "berth_finish_upload")}(${uploadId}, ${expected.size}, ${expected.digest}) as size
        ${deferredFlush(deferFlush)}`.execute(db);
      const size = found.rows[0]?.size ?? null;
      if (size === null) throw new UploadUnknownError(uploadId);
      if (Number(size) === expected.size) {
        hashes.forget(uploadId);
        return expected;
      }
      // Another size: the transaction below says how it differs and discards the upload.
    }
    const outcome = await db.transaction().execute((trx) => finishUploadIn(trx, hashes, uploadId, expected));
    hashes.forget(uploadId);
    if (outcome instanceof BlobMismatchError) throw outcome; // thrown after the commit: the discard stays
    return outcome;
  };

  const uploadStatus = async (uploadId: string): Promise<AppendResultInfo> => {
    // One read when this process holds the hash at the current size (the first bytes never change).
    const current = await uploadSize(db, uploadId);
    const known = hashes.peek(uploadId, current);
    if (known !== undefined) return { size: current, digest: sha256Digest(known) };
    // Else one snapshot for the size and, when the hash must be rebuilt, the chunks below it.
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

  const joint =
    options.jointStorage === undefined
      ? undefined
      : createJointBlobSteps({ storage: options.jointStorage, chunkSize, hashes });

  return {
    ...(joint === undefined ? {} : { joint }),
    async createUpload(uploadId) {
      const created = await sql<{ size: string }>`
        insert into ${sql.id(schema, "uploads")} (upload_id)
        select ${uploadId} from (select 1 ${deferredFlush(deferFlush)}) as settings
        on conflict (upload_id) do nothing returning size`.execute(db);
      if (created.rows.length > 0) return { uploadId, size: Number(created.rows[0]?.size) };
      // It existed: UploadUnknownError when it was aborted in between.
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
