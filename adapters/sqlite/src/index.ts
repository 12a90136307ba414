export { importRecordedEvents } from "./import-recorded-events.js";
export { migrateSqliteToLatest, type SqliteMigration, sqliteMigrations } from "./migrations.js";
export {
  type OpenSqliteDatabaseOptions,
  type OpenSqliteEventStoreOptions,
  openSqliteDatabase,
  openSqliteEventStore,
  type SqliteDatabase,
} from "./open-sqlite-event-store.js";
export { createSqliteEventStore, type SqliteEventStoreOptions } from "./sqlite-event-store.js";
