import { type Kysely, type Migration, sql } from "kysely";
import { appendFunction } from "./append-function.js";

/**
 * `berth_append(stream, events, expected, after, max_missed)`: an append in one autocommit call,
 * one round trip, where it was four (BEGIN, the advisory lock, the append, COMMIT). The function is
 * described in append-function.ts (migration 0008 replaced its first body).
 */
export const appendInOneCall = (schema: string): Migration => ({
  async up(db: Kysely<unknown>) {
    await appendFunction(schema, "create").execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop function ${sql.id(schema, "berth_append")}(text, jsonb, integer, bigint, integer)`.execute(
      db,
    );
  },
});
