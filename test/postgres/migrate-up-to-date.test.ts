/**
 * migrateToLatest on a schema that is already up to date reads its bookkeeping once and is done (a
 * start of a migrated database skips kysely's introspection and lock); a schema whose bookkeeping
 * is anything else still goes through the Migrator, which migrates it or says what is wrong.
 */
import { migrateToLatest } from "@berth/adapter-postgres";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquirePostgres, type PostgresTestDatabase, recordingDb } from "../support/postgres.js";

describe("Postgres migrateToLatest on an up-to-date schema", () => {
  let database: PostgresTestDatabase;
  let recorded: ReturnType<typeof recordingDb>;
  beforeAll(async () => {
    database = await acquirePostgres();
    recorded = recordingDb(database.pool);
  });
  afterAll(() => database?.release());

  it("answers with one statement and nothing run", async () => {
    recorded.statements.length = 0;
    expect(await migrateToLatest(recorded.db, database.schema)).toEqual([]);
    expect(recorded.statements).toHaveLength(1);
  });

  it("a bookkeeping row it does not know goes to the Migrator, which refuses it", async () => {
    const table = sql.id(database.schema, "kysely_migration");
    await sql`insert into ${table} (name, timestamp) values ('9999_from_a_newer_berth', now()::text)`.execute(
      database.db,
    );
    try {
      await expect(migrateToLatest(database.db, database.schema)).rejects.toThrow(/9999_from_a_newer_berth/);
    } finally {
      await sql`delete from ${table} where name = '9999_from_a_newer_berth'`.execute(database.db);
    }
    recorded.statements.length = 0;
    expect(await migrateToLatest(recorded.db, database.schema)).toEqual([]);
    expect(recorded.statements).toHaveLength(1);
  });
});
