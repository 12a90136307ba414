import { createMemoryBlobStore } from "@berth/adapter-memory";
import { createPostgresBlobStore } from "@berth/adapter-postgres";
import { describeBlobStoreContract } from "@berth/testkit";
import { afterAll } from "vitest";
import { lazyPostgres } from "../support/postgres.js";
import { selectedStores } from "../support/selected-stores.js";

const stores = selectedStores();

if (stores.has("memory")) {
  describeBlobStoreContract("memory", async () => ({ store: createMemoryBlobStore() }));
}

if (stores.has("postgres")) {
  const postgres = lazyPostgres();
  afterAll(() => postgres.release());
  // Small rows, so that modest test blobs span many of them.
  describeBlobStoreContract("postgres (16 KiB rows)", async () => {
    const { db, schema } = await postgres.get();
    const store = createPostgresBlobStore({ db, schema, chunkSize: 16 * 1024 });
    return { store, teardown: () => store.close() };
  });
}
