import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileSnapshotStore } from "@berth/adapter-filesystem";
import { createMemorySnapshotStore } from "@berth/adapter-memory";
import {
  type BerthDatabase,
  createPostgresSnapshotStore,
  DEFAULT_SCHEMA,
  migrateToLatest,
  PGliteDialect,
} from "@berth/adapter-postgres";
import { describeSnapshotStoreContract } from "@berth/testkit";
import { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import { afterAll } from "vitest";
import { lazyPostgres } from "../support/postgres.js";
import { selectedStores } from "../support/selected-stores.js";

const stores = selectedStores();

if (stores.has("memory")) {
  describeSnapshotStoreContract("memory", async () => ({ store: createMemorySnapshotStore() }));
}

if (stores.has("filesystem")) {
  describeSnapshotStoreContract("filesystem", async () => {
    const directory = await mkdtemp(join(tmpdir(), "berth-snapshot-"));
    const store = createFileSnapshotStore({ path: join(directory, "state", "snapshot") });
    return {
      store,
      teardown: async () => {
        await store.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  });
}

/** Each test starts with no snapshot: the file's schema is its own, so emptying it is safe. */
const emptied = async (db: Kysely<BerthDatabase>, schema = DEFAULT_SCHEMA) => {
  await db.withSchema(schema).deleteFrom("snapshots").execute();
  return db;
};

if (stores.has("postgres")) {
  const postgres = lazyPostgres();
  afterAll(() => postgres.release());
  // Small rows, so that the bigger snapshots span many of them.
  describeSnapshotStoreContract("postgres (64 KiB rows)", async () => {
    const { db, schema } = await postgres.get();
    return {
      store: createPostgresSnapshotStore({ db: await emptied(db, schema), schema, chunkSize: 64 * 1024 }),
    };
  });
  // Loads read the chunks with COPY (FORMAT binary) on a pg Pool of their own.
  describeSnapshotStoreContract("postgres, loads by COPY (64 KiB rows)", async () => {
    const { db, pool, schema } = await postgres.get();
    return {
      store: createPostgresSnapshotStore({
        db: await emptied(db, schema),
        pool,
        schema,
        chunkSize: 64 * 1024,
      }),
    };
  });
}

if (stores.has("pglite")) {
  let database: Promise<Kysely<BerthDatabase>> | undefined;
  afterAll(async () => (await database)?.destroy());
  describeSnapshotStoreContract("postgres on PGlite", async () => {
    database ??= (async () => {
      const db = new Kysely<BerthDatabase>({ dialect: new PGliteDialect({ pglite: new PGlite() }) });
      await migrateToLatest(db);
      return db;
    })();
    return { store: createPostgresSnapshotStore({ db: await emptied(await database) }) };
  });
}
