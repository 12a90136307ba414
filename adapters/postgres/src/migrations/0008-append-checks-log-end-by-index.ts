import type { Kysely, Migration } from "kysely";
import { appendFunction } from "./append-function.js";

/**
 * Replaces `berth_append`'s first body, which asked `exists (… where global_position > after)`.
 * plpgsql plans a function's statements once per connection and, after five calls, may keep a
 * generic plan: not knowing `after`, the planner expected a third of the log to match and scanned
 * the table from its start, where no row matches. Every append then read the whole log (220 ms per
 * command at 758,000 events). The new body reads the log's end by the primary key (see
 * append-function.ts). Down leaves it: the old body is never wanted back.
 */
export const appendChecksLogEndByIndex = (schema: string): Migration => ({
  async up(db: Kysely<unknown>) {
    await appendFunction(schema, "create or replace").execute(db);
  },
  async down() {},
});
