import { type BlobInfo, BlobMismatchError, verifyUpload } from "@berth/engine";
import type { Transaction } from "kysely";
import { adoptedChunks } from "./adopted-chunks.js";
import type { RunningHashes } from "./running-hashes.js";
import type { BerthDatabase } from "./schema.js";
import { uploadSize } from "./upload-size.js";

/**
 * The body of finishUpload's transaction: locks the upload's row, checks size, then digest, then
 * makes the blob of its adopted chunks and drops the upload (its attempts and chunks go with it). A mismatch drops the upload too and
 * is returned, not thrown, so that the caller can throw it after the commit.
 */
export const finishUploadIn = async (
  trx: Transaction<BerthDatabase>,
  hashes: RunningHashes,
  uploadId: string,
  expected: BlobInfo,
): Promise<BlobInfo | BlobMismatchError> => {
  const size = await uploadSize(trx, uploadId, { lock: true });
  const discard = () => trx.deleteFrom("uploads").where("upload_id", "=", uploadId).execute();
  const finished = await verifyUpload(uploadId, expected, size, () => hashes.hashAt(trx, uploadId, size));
  if (finished instanceof BlobMismatchError) {
    await discard();
    return finished;
  }
  const { digest } = finished;
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
        adoptedChunks(trx, uploadId).select([
          eb.cast<string>(eb.val(digest), "text").as("digest"),
          "byte_offset",
          "bytes",
        ]),
      )
      .execute();
  }
  await discard();
  return finished;
};
