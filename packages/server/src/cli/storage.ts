/** Opening the storage `berth serve` runs on: memory, PostgreSQL, or embedded (the default). */
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { createPostgresSnapshotStore, createPostgresStorage, POOL_DEFAULTS } from "@berth/adapter-postgres";
import type { BlobStore, EventStore, SnapshotStore } from "@berth/engine";

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
}

export const openStorage = async (options: StorageOptions): Promise<Storage> => {
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
    case "postgres": {
      if (options.databaseUrl === undefined) {
        throw new Error("--storage postgres needs --database-url (or BERTH_DATABASE_URL / DATABASE_URL)");
      }
      const storage = await createPostgresStorage({
        connectionString: options.databaseUrl,
        ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
        pool: {
          max: options.dbPoolSize ?? POOL_DEFAULTS.max,
          connectionTimeoutMillis: options.dbAcquireTimeoutMs ?? POOL_DEFAULTS.connectionTimeoutMillis,
        },
      });
      return {
        ...storage,
        snapshots: createPostgresSnapshotStore({
          db: storage.db,
          ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
        }),
        description: `PostgreSQL at ${redact(options.databaseUrl)}`,
      };
    }
    case "embedded": {
      const { openEmbeddedStorage } = await import("./embedded-storage.js");
      return openEmbeddedStorage(options.dataDir);
    }
  }
};

/** A connection string without its password, for logs. */
export const redact = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
