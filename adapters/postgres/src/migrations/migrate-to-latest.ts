import { type Kysely, type MigrationResult, Migrator } from "kysely";
import { DEFAULT_SCHEMA } from "../schema.js";
import { berthMigrationProvider } from "./migration-provider.js";

/**
 * Brings Berth's tables in `schema` up to date, creating the schema when needed. The migrations and
 * kysely's own bookkeeping tables both live in that schema, so each schema migrates on its own.
 * Throws when a migration fails (kysely's Migrator reports failures as values).
 */
export const migrateToLatest = async <DB>(
  db: Kysely<DB>,
  schema: string = DEFAULT_SCHEMA,
): Promise<ReadonlyArray<MigrationResult>> => {
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider: berthMigrationProvider(schema),
    migrationTableSchema: schema,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed =
      results.find((result) => result.status === "Error")?.migrationName ?? "before any migration ran";
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Berth migrations in schema "${schema}" failed (${failed}): ${reason}`, { cause: error });
  }
  return results;
};
