import { randomUUID } from "node:crypto";
import type { BlobStore, EventStore } from "@berth/engine";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { busyWhenTimedOut } from "./acquire-timeout.js";
import { migrateToLatest } from "./migrations/migrate-to-latest.js";
import { POOL_DEFAULTS } from "./pool-defaults.js";
import { createPostgresBlobStore } from "./postgres-blob-store.js";
import { createPostgresEventStore } from "./postgres-event-store.js";
import { type BerthDatabase, DEFAULT_SCHEMA } from "./schema.js";

export interface PostgresStorageOptions {
  readonly connectionString: string;
  /** Schema for Berth's tables, created and migrated on start (default "berth"). */
  readonly schema?: string;
  /**
   * Extra pg Pool settings (ssl, idle timeouts, …). Defaults: `max` 10 connections and
   * `connectionTimeoutMillis` 5000, the longest a query waits for a free connection before it fails
   * with StorageBusyError (0 waits for ever).
   */
  readonly pool?: Omit<pg.PoolConfig, "connectionString">;
  /** Run the migrations before returning (default true). */
  readonly migrate?: boolean;
  /** See PostgresEventStoreOptions.pollIntervalMs. */
  readonly pollIntervalMs?: number;
  /** See PostgresBlobStoreOptions.chunkSize. */
  readonly chunkSize?: number;
}

export interface PostgresStorage {
  readonly events: EventStore;
  readonly blobs: BlobStore;
  readonly db: Kysely<BerthDatabase>;
  /** The pool under `db` (for createPostgresSnapshotStore's COPY reads); ended by `close()`. */
  readonly pool: pg.Pool;
  /** Closes both stores and ends the pool. */
  close(): Promise<void>;
}

/**
 * Both stores on one pg Pool (and one more connection for LISTEN, once something subscribes),
 * migrated and ready. The pool ends once both stores are closed (or on
 * `close()`), so a caller that closes each store it was handed leaks nothing.
 */
export const createPostgresStorage = async (options: PostgresStorageOptions): Promise<PostgresStorage> => {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const pool = new pg.Pool({
    ...POOL_DEFAULTS,
    ...options.pool,
    connectionString: options.connectionString,
  });
  // An idle connection that breaks is dropped by the pool and replaced on the next query; without
  // a listener the error would crash the process.
  pool.on("error", () => {});
  const timeoutMs = pool.options.connectionTimeoutMillis;
  const db = new Kysely<BerthDatabase>({
    dialect: new PostgresDialect({ pool: busyWhenTimedOut(pool, timeoutMs === 0 ? undefined : timeoutMs) }),
  });
  try {
    if (options.migrate ?? true) await migrateToLatest(db, schema);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const { pollIntervalMs, chunkSize } = options;
  // LISTEN holds its connection for as long as anyone subscribes: it gets one of its own, so
  // subscribers (the scan worker, embedders) never take a connection from the requests' pool.
  const listenerPool = new pg.Pool({ ...options.pool, connectionString: options.connectionString, max: 1 });
  listenerPool.on("error", () => {});
  // Both stores are in this database: the blob store's upload writes may commit inside appends.
  const jointStorage = `postgres:${schema}:${randomUUID()}`;
  const events = createPostgresEventStore({
    db,
    schema,
    jointStorage,
    pool: listenerPool,
    ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
  });
  // The event log is in this database: upload writes leave their flush to the event that follows.
  const blobs = createPostgresBlobStore({
    db,
    schema,
    flushWithEventLog: true,
    jointStorage,
    ...(chunkSize === undefined ? {} : { chunkSize }),
  });

  let open = 2;
  let ended: Promise<void> | undefined;
  const release = async () => {
    open -= 1;
    if (open === 0) ended = Promise.all([db.destroy(), listenerPool.end()]).then(() => undefined);
    await ended;
  };
  const once = (close: () => Promise<void>) => {
    let closing: Promise<void> | undefined;
    return () => {
      closing ??= close().finally(release);
      return closing;
    };
  };
  const closeEvents = once(events.close);
  const closeBlobs = once(blobs.close);
  return {
    events: { ...events, close: closeEvents },
    blobs: { ...blobs, close: closeBlobs },
    db,
    pool,
    async close() {
      await Promise.all([closeEvents(), closeBlobs()]);
    },
  };
};
