import { UploadUnknownError } from "@berth/engine";
import type { Kysely } from "kysely";
import type { BerthDatabase } from "./schema.js";

/**
 * The upload's size from its row; UploadUnknownError when there is none. With `lock`, the row stays
 * locked (SELECT … FOR UPDATE) until the transaction `db` runs in ends.
 */
export const uploadSize = async (
  db: Kysely<BerthDatabase>,
  uploadId: string,
  { lock = false }: { readonly lock?: boolean } = {},
): Promise<number> => {
  const row = await db
    .selectFrom("uploads")
    .select("size")
    .where("upload_id", "=", uploadId)
    .$if(lock, (query) => query.forUpdate())
    .executeTakeFirst();
  if (row === undefined) throw new UploadUnknownError(uploadId);
  return Number(row.size);
};
