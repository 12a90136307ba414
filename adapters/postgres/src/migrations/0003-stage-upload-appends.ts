import { type Kysely, type Migration, sql } from "kysely";

/** The tables as this migration sees them (later migrations may change them). */
interface StagingTables {
  uploads: { upload_id: string };
  upload_attempts: { attempt_id: string; upload_id: string; start_offset: number; adopted: boolean };
  upload_chunks: { upload_id: string; attempt_id: string };
}

const migratedAttempt = sql<string>`'migrated-' || upload_id`;

/**
 * Appends stream outside any transaction (no connection waits on a client): each append is an
 * attempt whose chunk rows are its own, and only the attempts a short transaction adopted (offset
 * still right, upload row locked) count as the upload's bytes. Chunks stored before this migration
 * become one adopted attempt per upload.
 */
export const stageUploadAppends: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("upload_attempts")
      .addColumn("attempt_id", "text", (column) => column.primaryKey())
      .addColumn("upload_id", "text", (column) =>
        column.notNull().references("uploads.upload_id").onDelete("cascade"),
      )
      .addColumn("start_offset", "bigint", (column) => column.notNull().check(sql`start_offset >= 0`))
      .addColumn("adopted", "boolean", (column) => column.notNull().defaultTo(false))
      .addColumn("created_at", "timestamptz", (column) => column.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createIndex("upload_attempts_upload_id_idx")
      .on("upload_attempts")
      .column("upload_id")
      .execute();
    await db.schema
      .alterTable("upload_chunks")
      .addColumn("attempt_id", "text", (column) =>
        column.references("upload_attempts.attempt_id").onDelete("cascade"),
      )
      .execute();
    // Query builders, not raw SQL: the migrator's schema reaches the tables only through them.
    const tables = db as Kysely<StagingTables>;
    await tables
      .insertInto("upload_attempts")
      .columns(["attempt_id", "upload_id", "start_offset", "adopted"])
      .expression((eb) =>
        eb
          .selectFrom("uploads")
          .select([
            migratedAttempt.as("attempt_id"),
            "upload_id",
            sql.lit(0).as("start_offset"),
            sql.lit(true).as("adopted"),
          ]),
      )
      .execute();
    await tables.updateTable("upload_chunks").set({ attempt_id: migratedAttempt }).execute();
    await db.schema
      .alterTable("upload_chunks")
      .alterColumn("attempt_id", (column) => column.setNotNull())
      .execute();
    // Two attempts at one offset each hold a row at that byte_offset: the key is the attempt's.
    await db.schema.alterTable("upload_chunks").dropConstraint("upload_chunks_pkey").execute();
    await db.schema
      .alterTable("upload_chunks")
      .addPrimaryKeyConstraint("upload_chunks_pkey", ["attempt_id", "byte_offset"])
      .execute();
    await db.schema
      .createIndex("upload_chunks_upload_id_byte_offset_idx")
      .on("upload_chunks")
      .columns(["upload_id", "byte_offset"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    // Unadopted attempts' rows are not the upload's bytes: they go before the old key returns.
    await (db as Kysely<StagingTables>).deleteFrom("upload_attempts").where("adopted", "=", false).execute();
    await db.schema.dropIndex("upload_chunks_upload_id_byte_offset_idx").execute();
    await db.schema.alterTable("upload_chunks").dropConstraint("upload_chunks_pkey").execute();
    await db.schema
      .alterTable("upload_chunks")
      .addPrimaryKeyConstraint("upload_chunks_pkey", ["upload_id", "byte_offset"])
      .execute();
    await db.schema.alterTable("upload_chunks").dropColumn("attempt_id").execute();
    await db.schema.dropTable("upload_attempts").execute();
  },
};
