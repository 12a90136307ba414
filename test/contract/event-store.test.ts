import { createMemoryEventStore } from "@berth/adapter-memory";
import { createPostgresEventStore } from "@berth/adapter-postgres";
import { describeEventStoreContract } from "@berth/testkit";
import { afterAll } from "vitest";
import { lazyPostgres } from "../support/postgres.js";
import { selectedStores } from "../support/selected-stores.js";

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
