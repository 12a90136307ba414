import { type Kysely, type MigrationResult, Migrator, sql } from "kysely";
import { DEFAULT_SCHEMA } from "../schema.js";
import { berthMigrationProvider, berthMigrations } from "./migration-provider.js";

/**
 * Before migrating, kysely's Migrator looks for its bookkeeping tables by introspecting every schema
 * of the database; a schema or table another session drops meanwhile fails that read ("schema … does
 * not exist"), though nothing of ours is wrong. Databases shared by test files, tenants or other
 * processes see this: such a failure, before any migration ran, is tried again.
 */
const INTROSPECTION_ATTEMPTS = 5;
const VANISHED_OBJECT_CODES = new Set(["3F000", "42P01"]); // invalid_schema_name, undefined_table

const lostToADrop = (error: unknown, results: ReadonlyArray<MigrationResult>): boolean =>
  error !== undefined &&
  results.every((result) => result.status !== "Error") &&
  VANISHED_OBJECT_CODES.has(String((error as { code?: unknown }).code));

/**
 * Whether the schema's bookkeeping lists exactly the migrations this version has, read in one
 * query: every start of an up-to-date schema (all but the first) then skips the Migrator's
 * introspection, table checks and lock (about 30 ms of a cold start). Anything else (no table,
 * fewer or other migrations) goes through the Migrator, which migrates or says what is wrong.
 */
const upToDate = async <DB>(db: Kysely<DB>, schema: string): Promise<boolean> => {
  const known = new Set(Object.keys(berthMigrations(schema)));
  try {
    const { rows } = await sql<{
      name: string;
    }>`select name from ${sql.id(schema, "kysely_migration")}`.execute(db);
    return rows.length === known.size && rows.every((row) => known.has(row.name));
  } catch {
    return false;
  }
};

/**
 * Brings Berth's tables in `schema` up to date, creating the schema when needed. The migrations and
 * kysely's own bookkeeping tables both live in that schema, so each schema migrates on its own.
 * Throws when a migration fails (kysely's Migrator reports failures as values).
 */
export const migrateToLatest = async <DB>(
  db: Kysely<DB>,
  schema: string = DEFAULT_SCHEMA,
): Promise<ReadonlyArray<MigrationResult>> => {
  if (await upToDate(db, schema)) return [];
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider: berthMigrationProvider(schema),
    migrationTableSchema: schema,
  });
  let { error, results = [] } = await migrator.migrateToLatest();
  for (let attempt = 1; attempt < INTROSPECTION_ATTEMPTS && lostToADrop(error, results); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    ({ error, results = [] } = await migrator.migrateToLatest());
  }
  if (error !== undefined) {
    const failed =
      results.find((result) => result.status === "Error")?.migrationName ?? "before any migration ran";
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Berth migrations in schema "${schema}" failed (${failed}): ${reason}`, { cause: error });
  }
  return results;
};
