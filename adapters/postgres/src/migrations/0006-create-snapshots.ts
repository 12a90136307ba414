import type { Kysely, Migration } from "kysely";

/** The engine's state snapshots: one row per snapshot, its bytes in bytea rows of about 1 MiB. */
export const createSnapshots: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("snapshots")
      .addColumn("position", "bigint", (column) => column.primaryKey())
      .addColumn("size", "bigint", (column) => column.notNull())
      .addColumn("chunk_count", "integer", (column) => column.notNull())
      .execute();
    await db.schema
      .createTable("snapshot_chunks")
      .addColumn("position", "bigint", (column) =>
        column.notNull().references("snapshots.position").onDelete("cascade"),
      )
      .addColumn("seq", "integer", (column) => column.notNull())
      .addColumn("bytes", "bytea", (column) => column.notNull())
      .addPrimaryKeyConstraint("snapshot_chunks_pkey", ["position", "seq"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("snapshot_chunks").execute();
    await db.schema.dropTable("snapshots").execute();
  },
};
