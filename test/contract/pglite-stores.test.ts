import {
  type BerthDatabase,
  createPostgresBlobStore,
  createPostgresEventStore,
  migrateToLatest,
  PGliteDialect,
} from "@berth/adapter-postgres";
import { describeBlobStoreContract, describeEventStoreContract } from "@berth/testkit";
import { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import { afterAll } from "vitest";
import { selectedStores } from "../support/selected-stores.js";

/** One in-memory PGlite for the file (it takes seconds to start), migrated on first use. */
function lazyPGlite(): { get(): Promise<Kysely<BerthDatabase>>; release(): Promise<void> } {
  let database: Promise<Kysely<BerthDatabase>> | undefined;
  return {
    get() {
      database ??= (async () => {
        const db = new Kysely<BerthDatabase>({ dialect: new PGliteDialect({ pglite: new PGlite() }) });
        await migrateToLatest(db);
        return db;
      })();
      return database;
    },
    async release() {
      const db = await database?.catch(() => undefined);
      await db?.destroy();
    },
  };
}

if (selectedStores().has("pglite")) {
  const pglite = lazyPGlite();
  afterAll(() => pglite.release());

  // No pg Pool, so no LISTEN: subscribers wake on this store's own appends and poll otherwise.
  describeEventStoreContract("postgres on PGlite", async () => {
    const store = createPostgresEventStore({ db: await pglite.get() });
    return { store, teardown: () => store.close() };
  });

  describeBlobStoreContract("postgres on PGlite (16 KiB rows)", async () => {
    const store = createPostgresBlobStore({ db: await pglite.get(), chunkSize: 16 * 1024 });
    return { store, teardown: () => store.close() };
  });
}
