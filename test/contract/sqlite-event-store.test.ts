/**
 * What the SQLite event store does beyond the shared contract: its file outlives the process (a
 * reopened store continues versions and positions), its schema version guards against older code
 * writing into a newer file, and a log copied in from another store keeps its positions.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  importRecordedEvents,
  openSqliteDatabase,
  openSqliteEventStore,
  sqliteMigrations,
} from "@berth/adapter-sqlite";
import type { RecordedEvent } from "@berth/engine";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { selectedStores } from "../support/selected-stores.js";

describe.runIf(selectedStores().has("sqlite"))("the SQLite event store's file", () => {
  let directory = "";
  let path = "";
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "berth-sqlite-file-"));
    path = join(directory, "berth.sqlite");
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it("keeps every event across a close and a reopen, and continues versions and positions", async () => {
    const first = await openSqliteEventStore({ path });
    await first.appendToStream("a", [{ type: "One", data: { n: 1 } }], "NO_STREAM");
    await first.appendToStream("b", [{ type: "Two", data: [2] }], "NO_STREAM");
    const before = await first.readAll();
    await first.close();

    const second = await openSqliteEventStore({ path });
    try {
      expect(await second.readAll()).toEqual(before);
      const appended = await second.appendToStream("a", [{ type: "Three", data: null }], 1);
      expect(appended).toEqual({ nextExpectedStreamVersion: 2, lastGlobalPosition: 3n });
    } finally {
      await second.close();
    }
  });

  it("refuses a file whose schema is newer than this code's migrations", async () => {
    const database = await openSqliteDatabase(path);
    database.pragma(`user_version = ${sqliteMigrations.length + 1}`);
    database.close();
    await expect(openSqliteEventStore({ path })).rejects.toThrow(
      `is at schema version ${sqliteMigrations.length + 1}, newer than this Berth's ${sqliteMigrations.length}`,
    );
  });

  it("imports a recorded log as it is, and appends after its last position", async () => {
    const recorded: RecordedEvent[] = [
      { streamName: "s", streamVersion: 1, globalPosition: 4n, type: "A", data: { x: 1 }, recordedAt: 1_000 },
      { streamName: "t", streamVersion: 1, globalPosition: 9n, type: "B", data: "y", recordedAt: 2_000 },
      {
        streamName: "s",
        streamVersion: 2,
        globalPosition: 2n ** 40n,
        type: "C",
        data: [],
        recordedAt: 3_000,
      },
    ];
    const database = await openSqliteDatabase(path);
    importRecordedEvents(database, recorded);
    database.close();
    const store = await openSqliteEventStore({ path });
    try {
      expect(await store.readAll()).toEqual(recorded);
      expect(await store.streamVersion("s")).toBe(2);
      const appended = await store.appendToStream("s", [{ type: "D", data: {} }], 2);
      expect(appended).toEqual({ nextExpectedStreamVersion: 3, lastGlobalPosition: 2n ** 40n + 1n });
    } finally {
      await store.close();
    }
  });
});
