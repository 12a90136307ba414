import type { Kysely, Migration } from "kysely";
import { appendFunction } from "./append-function.js";

/**
 * Replaces `berth_append`'s body with one whose notification names the types it appended (it sent
 * ''), so the subscribers of a server's workers, which follow one type each, sleep through the
 * appends of others instead of each reading the log again after every command (append-function.ts).
 * Processes still on the old body keep working beside it: they ignore the payload, and a listener
 * that finds none wakes every subscriber. Down leaves it, as 0008 does.
 */
export const notifyNamesEventTypes = (schema: string): Migration => ({
  async up(db: Kysely<unknown>) {
    await appendFunction(schema, "create or replace").execute(db);
  },
  async down() {},
});
