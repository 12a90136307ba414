export { CopyFormatError, copiedColumn } from "./copy-binary.js";
export { migrateToLatest } from "./migrations/migrate-to-latest.js";
export { berthMigrationProvider, berthMigrations } from "./migrations/migration-provider.js";
export { type PGliteDatabase, PGliteDialect, type PGliteDialectOptions } from "./pglite-dialect.js";
export { POOL_DEFAULTS } from "./pool-defaults.js";
export { createPostgresBlobStore, type PostgresBlobStoreOptions } from "./postgres-blob-store.js";
export { createPostgresEventStore, type PostgresEventStoreOptions } from "./postgres-event-store.js";
export { createPostgresSnapshotStore, type PostgresSnapshotStoreOptions } from "./postgres-snapshot-store.js";
export {
  createPostgresStorage,
  type PostgresStorage,
  type PostgresStorageOptions,
} from "./postgres-storage.js";
export type {
  BerthDatabase,
  BlobChunksTable,
  BlobsTable,
  EventsTable,
  SnapshotChunksTable,
  SnapshotsTable,
  UploadAttemptsTable,
  UploadChunksTable,
  UploadsTable,
} from "./schema.js";
export { DEFAULT_SCHEMA } from "./schema.js";
