import type { Kysely, Migration } from "kysely";
import { appendFunction } from "./append-function.js";

/**
 * Replaces `berth_append`'s body with one that does less while it holds the schema's append lock,
 * which every append of the schema waits for: the notification's payload is worked out before the
 * lock, and a single event is inserted as one row whose position the insert returns (no
 * set-returning function, no second read). Same arguments, same answers: processes on the old body
 * run beside it. Eight connections of pgbench appended a fifth more per second with it (docs/
 * BENCHMARKS.md). Down leaves it, as 0008 and 0010 do.
 */
export const appendLittleUnderTheLock = (schema: string): Migration => ({
  async up(db: Kysely<unknown>) {
    await appendFunction(schema, "create or replace").execute(db);
  },
  async down() {},
});
