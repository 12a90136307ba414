/**
 * `berth_append` on a long log reads the log's end by index, whatever plan the connection caches.
 * plpgsql keeps one plan per statement and connection, and may make it generic (blind to the
 * parameters) after five calls: the first body's `exists (… where global_position > after)` then
 * scanned the whole table on every append (220 ms per command at 758,000 events). Forcing generic
 * plans, appends here must add no sequential scan of the events table.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquirePostgres, type PostgresTestDatabase } from "../support/postgres.js";

const LOG_ROWS = 50_000;

describe("Postgres berth_append on a long log", () => {
  let database: PostgresTestDatabase;
  beforeAll(async () => {
    database = await acquirePostgres();
    await sql`insert into ${sql.id(database.schema, "events")} (stream_name, stream_version, type, data)
      select 'filler-' || n, 1, 'Filler', '{}'::jsonb from generate_series(1, ${LOG_ROWS}) as n`.execute(
      database.db,
    );
    await sql`analyze ${sql.id(database.schema, "events")}`.execute(database.db);
  });
  afterAll(() => database?.release());

  it("appends with a generic plan without scanning the events table", async () => {
    const events = sql.id(database.schema, "events");
    const append = sql.id(database.schema, "berth_append");
    await database.db.connection().execute(async (connection) => {
      const seqScans = async () => {
        await sql`select pg_stat_force_next_flush()`.execute(connection);
        await sql`select pg_stat_clear_snapshot()`.execute(connection);
        const { rows } = await sql<{ seq_scan: string }>`select seq_scan from pg_stat_user_tables
          where schemaname = ${database.schema} and relname = 'events'`.execute(connection);
        return Number(rows[0]?.seq_scan);
      };
      await sql`set plan_cache_mode = force_generic_plan`.execute(connection);
      const before = await seqScans();
      for (let version = 0; version < 8; version++) {
        const { rows: end } = await sql<{
          last: string;
        }>`select max(global_position) as last from ${events}`.execute(connection);
        const { rows } = await sql<{ outcome: string }>`select outcome from ${append}(
          'plan-test', '[{"type":"Probe","data":{}}]'::jsonb, ${version}, ${end[0]!.last}::bigint, 10)`.execute(
          connection,
        );
        expect(rows.map((row) => row.outcome)).toEqual(["appended"]);
      }
      expect(await seqScans()).toBe(before);
    });
  });
});
