/**
 * migrateToLatest on a schema that is already up to date reads its bookkeeping once and is done (a
 * start of a migrated database skips kysely's introspection and lock); a schema whose bookkeeping
 * is anything else still goes through the Migrator, which migrates it or says what is wrong.
 */
import { type BerthDatabase, migrateToLatest } from "@berth/adapter-postgres";
import { Kysely, PostgresDialect, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquirePostgres, type PostgresTestDatabase } from "../support/postgres.js";

describe("Postgres migrateToLatest on an up-to-date schema", () => {
  let database: PostgresTestDatabase;
  let statements = 0;
  let counted: Kysely<BerthDatabase>;
  beforeAll(async () => {
    database = await acquirePostgres();
    counted = new Kysely<BerthDatabase>({
      dialect: new PostgresDialect({ pool: database.pool }),
      log: () => {
        statements += 1;
      },
    });
  });
  afterAll(() => database?.release());

  it("answers with one statement and nothing run", async () => {
    statements = 0;
    expect(await migrateToLatest(counted, database.schema)).toEqual([]);
    expect(statements).toBe(1);
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
    statements = 0;
    expect(await migrateToLatest(counted, database.schema)).toEqual([]);
    expect(statements).toBe(1);
  });
});
