/** Opening the storage `berth serve` runs on: memory, PostgreSQL, or embedded (the default). */
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { POOL_DEFAULTS } from "@berth/adapter-postgres/pool-defaults";
import type { BlobStore, EventStore, SnapshotStore } from "@berth/engine";
import { type BlobLocation, defaultBlobLocation } from "./blob-location.js";
import type { S3Options } from "./blob-storage.js";

export const STORAGE_KINDS = ["embedded", "postgres", "memory"] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

export interface Storage {
  readonly events: EventStore;
  readonly blobs: BlobStore;
  /** Where snapshots of the folded state are kept (none for memory: nothing outlives the process). */
  readonly snapshots?: SnapshotStore;
  /** What the startup log says about where data lives. */
  readonly description: string;
  close(): Promise<void>;
}

export interface StorageOptions {
  readonly kind: StorageKind;
  readonly databaseUrl?: string;
  /** PostgreSQL schema (default "berth"). */
  readonly databaseSchema?: string;
  /** PostgreSQL pool: at most this many connections (default 10). */
  readonly dbPoolSize?: number;
  /** PostgreSQL pool: how long a request waits for a free connection before "busy" (default 5000 ms). */
  readonly dbAcquireTimeoutMs?: number;
  readonly dataDir: string;
  /** Where `postgres` keeps blobs (default: files in `<dataDir>/blobs`). */
  readonly blobs?: BlobLocation;
  /** How `blobs` of kind s3 reaches its bucket. */
  readonly s3?: S3Options;
}

export const openStorage = async (options: StorageOptions): Promise<Storage> => {
  if (options.blobs !== undefined && options.kind !== "postgres")
    throw new Error(
      `--blobs applies to --storage postgres only (${options.kind} storage keeps its blobs itself)`,
    );
  switch (options.kind) {
    case "memory": {
      const events = createMemoryEventStore();
      const blobs = createMemoryBlobStore();
      return {
        events,
        blobs,
        description: "memory (nothing is kept after the process stops)",
        close: async () => {
          await events.close();
          await blobs.close();
        },
      };
    }
    case "postgres":
      return openPostgresStorage(options);
    case "embedded": {
      const { openEmbeddedStorage } = await import("./embedded-storage.js");
      return openEmbeddedStorage(options.dataDir);
    }
  }
};

/** Events in PostgreSQL; blobs there too, or where `options.blobs` says. */
const openPostgresStorage = async (options: StorageOptions): Promise<Storage> => {
  if (options.databaseUrl === undefined) {
    throw new Error("--storage postgres needs --database-url (or BERTH_DATABASE_URL / DATABASE_URL)");
  }
  // Loaded when used: pg and kysely are most of a start's module loading, and embedded needs neither.
  const { createPostgresSnapshotStore, createPostgresStorage } = await import("@berth/adapter-postgres");
  const storage = await createPostgresStorage({
    connectionString: options.databaseUrl,
    ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
    pool: {
      max: options.dbPoolSize ?? POOL_DEFAULTS.max,
      connectionTimeoutMillis: options.dbAcquireTimeoutMs ?? POOL_DEFAULTS.connectionTimeoutMillis,
    },
  });
  const events = `PostgreSQL at ${redact(options.databaseUrl)}`;
  const snapshots = createPostgresSnapshotStore({
    db: storage.db,
    pool: storage.pool,
    ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
  });
  const location = options.blobs ?? defaultBlobLocation(options.dataDir);
  if (location.kind === "postgres") return { ...storage, snapshots, description: `${events} (blobs too)` };
  await storage.blobs.close(); // the pool stays open for the events
  try {
    const { openBlobStore } = await import("./blob-storage.js"); // the S3 SDK only when asked for
    const blobs = await openBlobStore(location, options.s3 ?? {});
    return {
      events: storage.events,
      blobs: blobs.store,
      snapshots,
      description: `${events}, blobs as ${blobs.description}`,
      close: async () => {
        await Promise.all([storage.events.close(), blobs.store.close()]);
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
};

/** A connection string without its password, for logs. */
export const redact = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
