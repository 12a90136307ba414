import { type Kysely, type Migration, sql } from "kysely";

/**
 * The global log as one table. `integer primary key` makes the position the row id: a new row gets
 * the highest position plus one. No row of `events` is ever deleted, so no position is handed out
 * twice; AUTOINCREMENT would guard against that too at the cost of one more page written per commit
 * (its sqlite_sequence row). Data is JSON text; recorded_at is epoch milliseconds.
 */
export const createEventLog: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("events")
      .addColumn("global_position", "integer", (column) => column.primaryKey())
      .addColumn("stream_name", "text", (column) => column.notNull())
      .addColumn("stream_version", "integer", (column) => column.notNull().check(sql`stream_version > 0`))
      .addColumn("type", "text", (column) => column.notNull())
      .addColumn("data", "text", (column) => column.notNull())
      .addColumn("recorded_at", "integer", (column) => column.notNull())
      // Also the index for readStream and a stream's version.
      .addUniqueConstraint("events_stream_name_stream_version_key", ["stream_name", "stream_version"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("events").execute();
  },
};
