import { type Kysely, type Migration, sql } from "kysely";

/** Bytes live in bytea rows of about a chunk each, so a Postgres deployment needs no other storage. */
export const createBlobStore: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("uploads")
      .addColumn("upload_id", "text", (column) => column.primaryKey())
      .addColumn("size", "bigint", (column) => column.notNull().defaultTo(0).check(sql`size >= 0`))
      .addColumn("created_at", "timestamptz", (column) => column.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable("upload_chunks")
      .addColumn("upload_id", "text", (column) =>
        column.notNull().references("uploads.upload_id").onDelete("cascade"),
      )
      .addColumn("byte_offset", "bigint", (column) => column.notNull())
      .addColumn("bytes", "bytea", (column) => column.notNull())
      .addPrimaryKeyConstraint("upload_chunks_pkey", ["upload_id", "byte_offset"])
      .execute();
    await db.schema
      .createTable("blobs")
      .addColumn("digest", "text", (column) => column.primaryKey())
      .addColumn("size", "bigint", (column) => column.notNull())
      .execute();
    await db.schema
      .createTable("blob_chunks")
      .addColumn("digest", "text", (column) =>
        column.notNull().references("blobs.digest").onDelete("cascade"),
      )
      .addColumn("byte_offset", "bigint", (column) => column.notNull())
      .addColumn("bytes", "bytea", (column) => column.notNull())
      .addPrimaryKeyConstraint("blob_chunks_pkey", ["digest", "byte_offset"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ["blob_chunks", "blobs", "upload_chunks", "uploads"]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
