import { type Hash, randomUUID } from "node:crypto";
import { byteSource, UploadOffsetError, UploadUnknownError } from "@berth/engine";
import { type Kysely, sql } from "kysely";
import { deferredFlush } from "./deferred-flush.js";
import { rechunk } from "./rechunk.js";
import type { RunningHashes } from "./running-hashes.js";
import type { BerthDatabase } from "./schema.js";
import { uploadSize } from "./upload-size.js";

export interface AppendAttempt {
  readonly db: Kysely<BerthDatabase>;
  /** Where the tables and functions are (raw SQL calls name it). */
  readonly schema: string;
  /** Adoptions commit without waiting for their flush (see deferred-flush.ts). */
  readonly deferFlush: boolean;
  readonly hashes: RunningHashes;
  readonly chunkSize: number;
  readonly uploadId: string;
  readonly offset: number;
  readonly chunk: AsyncIterable<Uint8Array> | Uint8Array;
}

/** Whether a driver error is Postgres' foreign_key_violation (SQLSTATE 23503). */
const isForeignKeyViolation = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && error.code === "23503";

/** A size found under the upload's row lock: null when the upload is gone, else it must be `offset`. */
const expectSize = (uploadId: string, offset: number, found: string | number | null): void => {
  if (found === null) throw new UploadUnknownError(uploadId);
  if (Number(found) !== offset) throw new UploadOffsetError(uploadId, Number(found), offset);
};

/**
 * Registers the attempt, only if the upload is still at `offset` (one statement, no transaction):
 * an append at the wrong offset is refused before its first byte is read.
 */
const openAttempt = async (
  db: Kysely<BerthDatabase>,
  uploadId: string,
  offset: number,
  attemptId: string,
) => {
  for (;;) {
    const opened = await db
      .insertInto("upload_attempts")
      .columns(["attempt_id", "upload_id", "start_offset"])
      .expression((eb) =>
        eb
          .selectFrom("uploads")
          .select([eb.cast<string>(eb.val(attemptId), "text").as("attempt_id"), "upload_id", "size"])
          .where("upload_id", "=", uploadId)
          .where("size", "=", String(offset)),
      )
      .executeTakeFirst();
    if (opened.numInsertedOrUpdatedRows === 1n) return;
    const current = await uploadSize(db, uploadId); // UploadUnknownError when it is gone
    // Uploads only grow: a size that reached `offset` in between is worth one more try.
    if (current !== offset) throw new UploadOffsetError(uploadId, current, offset);
  }
};

/**
 * The call that makes the attempt's rows the upload's bytes (berth_adopt_attempt, migration 0005):
 * under the upload's row lock it checks that nobody appended since the attempt opened, adopts it and
 * moves the size. Every other unadopted attempt of the upload opened at or below this offset and can
 * never be adopted now: its rows go (a loser still streaming finds out at its next row or at its own
 * adoption).
 */
const adoptAttempt = async (
  { db, schema, deferFlush, uploadId, offset }: AppendAttempt,
  attemptId: string,
  size: number,
): Promise<void> => {
  const found = await sql<{ size: string | null }>`
    select ${sql.id(schema, "berth_adopt_attempt")}(${uploadId}, ${offset}, ${attemptId}, ${size}) as size
    ${deferredFlush(deferFlush)}`.execute(db);
  expectSize(uploadId, offset, found.rows[0]?.size ?? null);
};

/**
 * Bytes already in memory that fit in one row need no staging: berth_append_whole checks the
 * offset, writes them as an adopted attempt and moves the size in one call.
 */
const appendWhole = async (
  attempt: AppendAttempt,
  bytes: Uint8Array,
): Promise<{ size: number; hash: Hash }> => {
  const { db, schema, deferFlush, hashes, uploadId, offset } = attempt;
  const hash = await hashes.hashAt(db, uploadId, offset).catch(async (error: unknown) => {
    throw await refusalOr(db, uploadId, offset, error);
  });
  const piece = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = await sql<{ size: string | null }>`
    select ${sql.id(schema, "berth_append_whole")}(${uploadId}, ${offset}, ${randomUUID()}, ${piece}) as size
    ${deferredFlush(deferFlush)}`.execute(db);
  expectSize(uploadId, offset, found.rows[0]?.size ?? null);
  hash.update(piece);
  return { size: offset + piece.byteLength, hash };
};

/**
 * What a storage failure during the attempt means to the caller: the upload is gone
 * (UploadUnknownError) or another append won (UploadOffsetError); otherwise the failure itself.
 */
const refusalOr = async (db: Kysely<BerthDatabase>, uploadId: string, offset: number, error: unknown) => {
  let current: number;
  try {
    current = await uploadSize(db, uploadId);
  } catch (refusal) {
    return refusal; // UploadUnknownError when the upload is gone
  }
  return current !== offset ? new UploadOffsetError(uploadId, current, offset) : error;
};

/**
 * One append, with no connection held while its bytes arrive: the attempt's chunks are written one
 * autocommit INSERT each as they fill, hashed in memory on the way (starting from the running hash
 * at `offset`), then adopted in one short transaction. A failed or refused attempt deletes its rows;
 * if even that fails (a crash, the database gone) they are never read as the upload's bytes and go
 * with the next adoption, or with the upload when it is finished or aborted.
 */
export const appendAttempt = async (attempt: AppendAttempt): Promise<{ size: number; hash: Hash }> => {
  const { db, hashes, chunkSize, uploadId, offset, chunk } = attempt;
  if (chunk instanceof Uint8Array && chunk.byteLength <= chunkSize) return appendWhole(attempt, chunk);
  const attemptId = randomUUID();
  await openAttempt(db, uploadId, offset, attemptId);
  try {
    const hash = await hashes.hashAt(db, uploadId, offset).catch(async (error: unknown) => {
      throw await refusalOr(db, uploadId, offset, error);
    });
    let size = offset;
    for await (const piece of rechunk(byteSource(chunk), chunkSize)) {
      hash.update(piece);
      try {
        // The row of an attempt not adopted yet needs no flush of its own: it counts only once the
        // adoption commits, later, on this database, and WAL is flushed in order.
        await sql`
          insert into ${sql.id(attempt.schema, "upload_chunks")} (upload_id, attempt_id, byte_offset, bytes)
          select ${uploadId}, ${attemptId}, ${size}, ${piece}
          from (select 1 ${deferredFlush(true)}) as settings`.execute(db);
      } catch (error) {
        // The attempt's row is gone: another append was adopted, or the upload ended.
        throw isForeignKeyViolation(error) ? await refusalOr(db, uploadId, offset, error) : error;
      }
      size += piece.byteLength;
    }
    await adoptAttempt(attempt, attemptId, size);
    return { size, hash };
  } catch (error) {
    await db
      .deleteFrom("upload_attempts")
      .where("attempt_id", "=", attemptId)
      .execute()
      .catch(() => {});
    throw error;
  }
};
