/**
 * The SQLite event store killed with SIGKILL while it appends (a worker process on the built
 * adapter, see support/engine-process.ts): reopened, the file holds every acknowledged append
 * whole, at the positions and versions it was told, every append all or nothing, positions and
 * versions without gaps; and writing goes on after it. Three rounds on one file, so each open also
 * recovers from the previous kill.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteEventStore } from "@berth/adapter-sqlite";
import type { RecordedEvent } from "@berth/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEngine, startWorker } from "../support/engine-process.js";
import { selectedStores } from "../support/selected-stores.js";

type Line = { type: "ready" } | { type: "ack"; n: number; stream: string; version: number; last: string };

describe.runIf(selectedStores().has("sqlite"))("the SQLite event store after SIGKILL", () => {
  let directory = "";
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "berth-sqlite-crash-"));
    await buildEngine(["packages/core", "packages/engine", "adapters/sqlite"]);
  }, 300_000);
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it("keeps every acknowledged append whole, and nothing half-written", async () => {
    const path = join(directory, "berth.sqlite");
    const acked: Array<Extract<Line, { type: "ack" }>> = [];
    for (let round = 0; round < 3; round++) {
      const worker = await startWorker<Line>("sqlite-append-worker.ts", { SQLITE_PATH: path });
      await worker.waitFor((line) => line.type === "ready", 60_000);
      const seen = worker.lines.length;
      await worker.waitFor((line) => line.type === "ack" && worker.lines.length > seen + 150, 60_000);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
      worker.kill("SIGKILL");
      expect((await worker.exited).signal).toBe("SIGKILL");
      acked.push(
        ...worker.lines.filter((line): line is Extract<Line, { type: "ack" }> => line.type === "ack"),
      );
    }

    const store = await openSqliteEventStore({ path });
    try {
      const log: RecordedEvent[] = [];
      for (;;) {
        const batch = await store.readAll({ after: log.at(-1)?.globalPosition ?? 0n });
        if (batch.length === 0) break;
        log.push(...batch);
      }
      expect(log.map((event) => event.globalPosition)).toEqual(log.map((_, i) => BigInt(i + 1)));
      const byPosition = new Map(log.map((event) => [event.globalPosition, event]));
      for (const ack of acked) {
        const last = byPosition.get(BigInt(ack.last));
        expect(last).toMatchObject({ streamName: ack.stream, streamVersion: ack.version, data: { k: 2 } });
      }
      // All or nothing: each append's three events sit together, k = 0, 1, 2, at consecutive versions.
      expect(log.length % 3).toBe(0);
      for (let i = 0; i < log.length; i += 3) {
        const append = log.slice(i, i + 3);
        expect(append.map((event) => (event.data as { k: number }).k)).toEqual([0, 1, 2]);
        expect(new Set(append.map((event) => event.streamName)).size).toBe(1);
        expect(append.map((event) => event.streamVersion - append[0]!.streamVersion)).toEqual([0, 1, 2]);
      }
      for (const stream of new Set(log.map((event) => event.streamName))) {
        const versions = log
          .filter((event) => event.streamName === stream)
          .map((event) => event.streamVersion);
        expect(versions).toEqual(versions.map((_, i) => i + 1));
      }
      const version = await store.streamVersion("crash-a");
      const next = await store.appendToStream("crash-a", [{ type: "After", data: {} }], version);
      expect(next.lastGlobalPosition).toBe(BigInt(log.length + 1));
    } finally {
      await store.close();
    }
  }, 300_000);
});
