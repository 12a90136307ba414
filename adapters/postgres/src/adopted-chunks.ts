import type { Kysely } from "kysely";
import type { BerthDatabase } from "./schema.js";

/**
 * The upload's chunk rows that are its bytes: those of adopted append attempts. Rows of an attempt
 * still streaming, of a loser or of one cut off by a crash are never read as the upload's.
 */
export const adoptedChunks = (db: Kysely<BerthDatabase>, uploadId: string) =>
  db
    .selectFrom("upload_chunks")
    .where("attempt_id", "in", (eb) =>
      eb
        .selectFrom("upload_attempts")
        .select("attempt_id")
        .where("upload_id", "=", uploadId)
        .where("adopted", "=", true),
    );
