import type { EventStore } from "@berth/engine";
import Database from "better-sqlite3";
import { migrateSqliteToLatest } from "./migrations.js";
import { createSqliteEventStore, type SqliteEventStoreOptions } from "./sqlite-event-store.js";

/** The database handle the SQLite store runs on (better-sqlite3's). */
export type SqliteDatabase = Database.Database;

export interface OpenSqliteDatabaseOptions {
  /**
   * When a commit reaches the disk (SQLite's `synchronous` in WAL mode). NORMAL (the default): a
   * commit survives the process crashing; the last commits before a power loss or an OS crash may
   * roll back (the database stays consistent). FULL: every commit is synced, which costs an fsync
   * per append (on the machine of docs/BENCHMARKS.md, ~150 appends/s instead of thousands).
   */
  readonly synchronous?: "NORMAL" | "FULL";
  /**
   * Hold SQLite's file locks from the first write until the database closes (`locking_mode =
   * EXCLUSIVE`): no other process can even read the file meanwhile, and each transaction saves the
   * lock and shared-memory calls, about a tenth of a PutImage's CPU time. For a file that belongs
   * to one process anyway, as the embedded storage's does (default false).
   */
  readonly exclusive?: boolean;
}

/**
 * Opens (or creates) the SQLite file at `path` in WAL mode (readers run beside the writer, a commit
 * appends to the log instead of rewriting pages) and migrates it.
 */
export const openSqliteDatabase = async (
  path: string,
  options: OpenSqliteDatabaseOptions = {},
): Promise<SqliteDatabase> => {
  const database = new Database(path);
  try {
    if (options.exclusive === true) database.pragma("locking_mode = EXCLUSIVE");
    database.pragma("journal_mode = WAL");
    database.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
    database.pragma("busy_timeout = 5000");
    migrateSqliteToLatest(database);
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
};

export interface OpenSqliteEventStoreOptions
  extends Omit<SqliteEventStoreOptions, "database" | "closeDatabase">,
    OpenSqliteDatabaseOptions {
  /** The database file, created when missing. */
  readonly path: string;
}

/** The store on its own database file (see openSqliteDatabase); closing the store closes the file. */
export const openSqliteEventStore = async (options: OpenSqliteEventStoreOptions): Promise<EventStore> => {
  const { path, synchronous, exclusive, ...storeOptions } = options;
  const database = await openSqliteDatabase(path, {
    ...(synchronous === undefined ? {} : { synchronous }),
    ...(exclusive === undefined ? {} : { exclusive }),
  });
  return createSqliteEventStore({ ...storeOptions, database, closeDatabase: true });
};
