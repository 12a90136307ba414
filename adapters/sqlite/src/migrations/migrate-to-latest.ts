import type BetterSqlite3 from "better-sqlite3";
import { Kysely, type Migration, type MigrationResult, Migrator, SqliteDialect } from "kysely";
import { createEventLog } from "./0001-create-event-log.js";

/** The SQLite store's migrations, in the order their names sort. Listed in code: nothing scans the file system. */
export const sqliteMigrations: Readonly<Record<string, Migration>> = {
  "0001_create_event_log": createEventLog,
};

/**
 * Brings the database's tables up to date through kysely's Migrator on its SqliteDialect. Throws
 * when a migration fails (the Migrator reports failures as values). The database stays open: its
 * owner closes it (the Kysely here is never destroyed, which would close it).
 */
export const migrateSqliteToLatest = async (
  database: BetterSqlite3.Database,
): Promise<ReadonlyArray<MigrationResult>> => {
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...sqliteMigrations }) } });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed =
      results.find((result) => result.status === "Error")?.migrationName ?? "before any migration ran";
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Berth's SQLite migrations failed (${failed}): ${reason}`, { cause: error });
  }
  return results;
};
