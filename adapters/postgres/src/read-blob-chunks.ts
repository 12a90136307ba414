import { BlobUnknownError, type ByteRange } from "@berth/engine";
import { type Kysely, sql } from "kysely";
import type { BerthDatabase } from "./schema.js";

/**
 * Streams the inclusive `range` of a blob, `batchRows` rows per query (keyset on byte_offset), so a
 * read never holds more than a batch. Rows are contiguous: the first one is the row holding `start`.
 */
export async function* readBlobChunks(
  db: Kysely<BerthDatabase>,
  digest: string,
  { start, end }: ByteRange,
  batchRows: number,
): AsyncGenerator<Uint8Array> {
  let next = start;
  let after = -1;
  while (next <= end) {
    const rows = await db
      .selectFrom("blob_chunks")
      .select(["byte_offset", "bytes"])
      .where("digest", "=", digest)
      .where("byte_offset", ">", String(after))
      .where("byte_offset", "<=", String(end))
      .where(sql<number>`byte_offset + octet_length(bytes)`, ">", start)
      .orderBy("byte_offset")
      .limit(batchRows)
      .execute();
    // The blob was deleted while we read: end with an error rather than short.
    if (rows.length === 0) throw new BlobUnknownError(digest);
    for (const row of rows) {
      const rowStart = Number(row.byte_offset);
      if (rowStart > next) throw new Error(`Blob ${digest} has no stored chunk at ${next}`);
      const slice = row.bytes.subarray(next - rowStart, Math.min(end + 1 - rowStart, row.bytes.byteLength));
      next += slice.byteLength;
      after = rowStart;
      yield slice;
    }
  }
}
