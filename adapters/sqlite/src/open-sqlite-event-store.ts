import type { EventStore } from "@berth/engine";
import Database from "better-sqlite3";
import { migrateSqliteToLatest } from "./migrations/migrate-to-latest.js";
import { createSqliteEventStore, type SqliteEventStoreOptions } from "./sqlite-event-store.js";

/** The database handle the SQLite store runs on (better-sqlite3's). */
export type SqliteDatabase = Database.Database;

/**
 * Opens (or creates) the SQLite file at `path` in WAL mode and migrates it. WAL lets readers run
 * beside the writer; `synchronous = FULL` syncs the log at every commit, so an acknowledged append
 * survives a crash of the machine too, not only of the process.
 */
export const openSqliteDatabase = async (path: string): Promise<SqliteDatabase> => {
  const database = new Database(path);
  try {
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = FULL");
    database.pragma("busy_timeout = 5000");
    await migrateSqliteToLatest(database);
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
};

export interface OpenSqliteEventStoreOptions
  extends Omit<SqliteEventStoreOptions, "database" | "closeDatabase"> {
  /** The database file, created when missing. */
  readonly path: string;
}

/** The store on its own database file (see openSqliteDatabase); closing the store closes the file. */
export const openSqliteEventStore = async (options: OpenSqliteEventStoreOptions): Promise<EventStore> => {
  const { path, ...storeOptions } = options;
  const database = await openSqliteDatabase(path);
  return createSqliteEventStore({ ...storeOptions, database, closeDatabase: true });
};
