/**
 * `--storage embedded`: everything under one data directory, nothing to install. Events go through
 * the PostgreSQL adapter's SQL on PGlite (Postgres in WebAssembly) in `<dataDir>/pgdata`, blobs are
 * files in `<dataDir>/blobs`, and `<dataDir>/berth.lock` keeps a second process out: PGlite and the
 * blob store's upload locks both belong to one process. Snapshots of the folded state are one file,
 * `<dataDir>/snapshots/state`.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  acquireLockFile,
  createFileSnapshotStore,
  createFilesystemBlobStore,
  LockFileHeldError,
} from "@berth/adapter-filesystem";
import {
  type BerthDatabase,
  createPostgresEventStore,
  migrateToLatest,
  PGliteDialect,
} from "@berth/adapter-postgres";
import { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import type { Storage } from "./storage.js";

export const openEmbeddedStorage = async (dataDir: string): Promise<Storage> => {
  const directory = resolve(dataDir);
  const pgdata = join(directory, "pgdata");
  await mkdir(pgdata, { recursive: true });
  const lock = await acquireLockFile(join(directory, "berth.lock")).catch((error: unknown) => {
    if (!(error instanceof LockFileHeldError)) throw error;
    const advice = "stop that berth or choose another --data-dir";
    throw new Error(`${directory} is in use (${error.message}): ${advice}`, { cause: error });
  });
  const db = await openDatabase(pgdata).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });

  const events = createPostgresEventStore({ db });
  const blobs = createFilesystemBlobStore({ directory: join(directory, "blobs") });
  const snapshots = createFileSnapshotStore({ path: join(directory, "snapshots", "state") });
  let closing: Promise<void> | undefined;
  return {
    events,
    blobs,
    snapshots,
    description: `embedded (PGlite + files) in ${directory}`,
    close() {
      closing ??= (async () => {
        await Promise.all([events.close(), blobs.close(), snapshots.close()]);
        await db.destroy(); // closes PGlite: Postgres shuts down cleanly
        await lock.release();
      })();
      return closing;
    },
  };
};

/** PGlite on `pgdata` (initialized on first use), behind kysely, with Berth's tables migrated. */
const openDatabase = async (pgdata: string): Promise<Kysely<BerthDatabase>> => {
  const pglite = await PGlite.create({ dataDir: pgdata });
  const db = new Kysely<BerthDatabase>({ dialect: new PGliteDialect({ pglite }) });
  try {
    await migrateToLatest(db);
    return db;
  } catch (error) {
    await db.destroy();
    throw error;
  }
};
