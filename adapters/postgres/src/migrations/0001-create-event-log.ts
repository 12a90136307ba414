import { type Kysely, type Migration, sql } from "kysely";

export const createEventLog: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("events")
      .addColumn("global_position", "bigint", (column) => column.generatedAlwaysAsIdentity().primaryKey())
      .addColumn("stream_name", "text", (column) => column.notNull())
      .addColumn("stream_version", "integer", (column) => column.notNull().check(sql`stream_version > 0`))
      .addColumn("type", "text", (column) => column.notNull())
      .addColumn("data", "jsonb", (column) => column.notNull())
      .addColumn("recorded_at", "timestamptz", (column) => column.notNull().defaultTo(sql`now()`))
      // Also the index for readStream; a racing append at a taken version fails here (23505).
      .addUniqueConstraint("events_stream_name_stream_version_key", ["stream_name", "stream_version"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("events").execute();
  },
};
