import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFilesystemBlobStore } from "@berth/adapter-filesystem";
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { createPostgresBlobStore, createPostgresEventStore } from "@berth/adapter-postgres";
import { createSqliteEventStore } from "@berth/adapter-sqlite";
// Until @berth/testkit's index exports it: import { describeRegistryScenarios } from "@berth/testkit";
import { describeRegistryScenarios } from "@berth/testkit";
import { afterAll } from "vitest";
import { lazyPostgres } from "../support/postgres.js";
import { selectedStores } from "../support/selected-stores.js";
import { lazySqlite } from "../support/sqlite.js";

const stores = selectedStores();

if (stores.has("memory")) {
  describeRegistryScenarios("memory", async () => ({
    events: createMemoryEventStore(),
    blobs: createMemoryBlobStore(),
  }));
}

if (stores.has("postgres")) {
  const postgres = lazyPostgres();
  afterAll(() => postgres.release());
  // Every test gets new stores on the file's schema; the log grows across tests, as in production.
  describeRegistryScenarios("postgres", async () => {
    const { db, schema, pool } = await postgres.get();
    const events = createPostgresEventStore({ db, schema, pool });
    const blobs = createPostgresBlobStore({ db, schema, chunkSize: 256 * 1024 });
    return {
      events,
      blobs,
      teardown: () => Promise.all([events.close(), blobs.close()]).then(() => undefined),
    };
  });
}

if (stores.has("filesystem")) {
  describeRegistryScenarios("memory events, filesystem blobs", async () => {
    const directory = await mkdtemp(join(tmpdir(), "berth-scenarios-"));
    const blobs = createFilesystemBlobStore({ directory });
    return {
      events: createMemoryEventStore(),
      blobs,
      async teardown() {
        await blobs.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  });
}

if (stores.has("sqlite")) {
  const sqlite = lazySqlite();
  afterAll(() => sqlite.release());
  // The embedded storage's pair: one SQLite file for the suite (its log grows across tests), blob files.
  describeRegistryScenarios("SQLite events, filesystem blobs", async () => {
    const directory = await mkdtemp(join(tmpdir(), "berth-scenarios-"));
    const events = createSqliteEventStore({ database: await sqlite.get() });
    const blobs = createFilesystemBlobStore({ directory });
    return {
      events,
      blobs,
      async teardown() {
        await Promise.all([events.close(), blobs.close()]);
        await rm(directory, { recursive: true, force: true });
      },
    };
  });
}
