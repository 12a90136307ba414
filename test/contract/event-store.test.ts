import { createMemoryEventStore } from "@berth/adapter-memory";
import { createPostgresEventStore } from "@berth/adapter-postgres";
import { createSqliteEventStore } from "@berth/adapter-sqlite";
import { describeEventStoreContract } from "@berth/testkit";
import { afterAll } from "vitest";
import { lazyPostgres } from "../support/postgres.js";
import { selectedStores } from "../support/selected-stores.js";
import { lazySqlite } from "../support/sqlite.js";

const stores = selectedStores();

if (stores.has("memory")) {
  describeEventStoreContract("memory", async () => ({ store: createMemoryEventStore() }));
}

if (stores.has("postgres")) {
  const postgres = lazyPostgres();
  afterAll(() => postgres.release());
  describeEventStoreContract("postgres", async () => {
    const { db, schema, pool } = await postgres.get();
    const store = createPostgresEventStore({ db, schema, pool });
    return { store, teardown: () => store.close() };
  });
}

if (stores.has("sqlite")) {
  const sqlite = lazySqlite();
  afterAll(() => sqlite.release());
  // One file for the suite, as in production; every test gets a store of its own on it.
  describeEventStoreContract("sqlite", async () => {
    const store = createSqliteEventStore({ database: await sqlite.get() });
    return { store, teardown: () => store.close() };
  });
}
