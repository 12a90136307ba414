/**
 * Snapshots of the folded state in the engine: a registry restarted on a snapshot (with events
 * committed after it) reaches exactly the state, and gives the answers, of one that folds the whole
 * log, and goes on deciding commands as it would; a corrupt snapshot, one of another format or
 * schema, or one the log does not hold, is ignored and the log is folded from the start.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  createMemoryBlobStore,
  createMemoryEventStore,
  createMemorySnapshotStore,
} from "@berth/adapter-memory";
import { createPostgresEventStore, createPostgresSnapshotStore } from "@berth/adapter-postgres";
import {
  type BerthCommand,
  type RegistryId,
  type RepositoryName,
  SNAPSHOT_FORMAT_VERSION,
} from "@berth/core";
import {
  CommandHandler,
  createRegistry,
  type EventStore,
  type SnapshotReport,
  type SnapshotStore,
} from "@berth/engine";
import { registryCommands, registryScenarioArb } from "@berth/testkit";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { lazyPostgres } from "../support/postgres.js";

const historyArb = registryScenarioArb({ maxSteps: 40, maxRepositories: 2, maxIndexes: 2 }).chain(
  ({ commands }) => fc.record({ commands: fc.constant(commands), cut: fc.nat({ max: commands.length }) }),
);

/** One value of `arbitrary`, the same in every run. */
const sampleOne = <T>(arbitrary: fc.Arbitrary<T>, seed: number): T => {
  const [value] = fc.sample(arbitrary, { numRuns: 1, seed });
  if (value === undefined) throw new Error("no sample");
  return value;
};

/** Runs commands as another process would: through a handler of its own on the same log. */
const runAll = async (events: EventStore, commands: ReadonlyArray<BerthCommand>) => {
  const writer = new CommandHandler(events);
  for (const command of commands) await writer.execute(command);
};

const DEFAULT_REGISTRY = "000000000000" as RegistryId;
const KEPT = "snapshot/versions" as RepositoryName;

const registryOn = (events: EventStore, store?: SnapshotStore, reports: SnapshotReport[] = []) =>
  createRegistry({
    events,
    maxAttempts: 3, // a stream version lost with the snapshot would show as lost races

    blobs: createMemoryBlobStore(),
    ...(store === undefined
      ? {}
      : { snapshots: { store, everyEvents: 0, onReport: (r) => reports.push(r) } }),
  });

/** The state a registry reaches by folding the whole log, without snapshots. */
const fullFold = async (events: EventStore) => {
  const registry = registryOn(events);
  await registry.catchUp();
  return registry.state;
};

/** Commands before a snapshot, a snapshot, commands after it; then a restart on that snapshot. */
const restartOnSnapshot = async (
  events: EventStore,
  store: SnapshotStore,
  commands: ReadonlyArray<BerthCommand>,
  cut: number,
) => {
  await runAll(events, [
    registryCommands(DEFAULT_REGISTRY).createRepository(KEPT),
    ...commands.slice(0, cut),
  ]);
  const before = registryOn(events, store);
  await before.catchUp();
  await before.saveSnapshot();
  await before.stopSnapshots();
  await runAll(events, commands.slice(cut)); // after the snapshot: a restart must fold these
  const reports: SnapshotReport[] = [];
  const restarted = registryOn(events, store, reports);
  await restarted.catchUp();
  return { restarted, reports };
};

describe("State snapshots in the engine", () => {
  it("a restart on a snapshot reaches the state a full fold reaches, and decides on as it would", async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, async ({ commands, cut }) => {
        const events = createMemoryEventStore();
        const { restarted, reports } = await restartOnSnapshot(
          events,
          createMemorySnapshotStore(),
          commands,
          cut,
        );
        expect(reports.map((r) => r.type)).toEqual(["restored"]);
        expect(restarted.state).toStrictEqual(await fullFold(events));
        // Stream versions came back with the state: an append to a stream from before the snapshot
        // expects its version as the log has it (else it would lose every race).
        const changed = await restarted.putImageTagMutability({
          repositoryName: KEPT,
          imageTagMutability: "IMMUTABLE",
        });
        expect(changed._tag).toBe("Right");
      }),
      { numRuns: 15 },
    );
  });

  it("writes snapshots in the background every so many events, off the request path", async () => {
    const events = createMemoryEventStore();
    const store = createMemorySnapshotStore();
    const saved: SnapshotReport[] = [];
    const registry = createRegistry({
      events,
      blobs: createMemoryBlobStore(),
      snapshots: { store, everyEvents: 3, everyMs: 50, onReport: (r) => saved.push(r) },
    });
    const { commands } = sampleOne(registryScenarioArb({ maxSteps: 10 }), 7);
    await runAll(events, commands);
    await registry.catchUp();
    await expect.poll(() => saved.some((r) => r.type === "saved"), { timeout: 5000 }).toBe(true);
    await registry.stopSnapshots();
    const kept = await store.load();
    const lastSaved = saved.filter((r) => r.type === "saved").at(-1);
    expect(kept?.position).toBe(lastSaved?.position);
    const reports: SnapshotReport[] = [];
    const restarted = registryOn(events, store, reports);
    await restarted.catchUp();
    expect(reports.map((r) => r.type)).toEqual(["restored"]);
    expect(restarted.state).toStrictEqual(await fullFold(events));
  });

  describe("a snapshot that cannot be trusted is ignored, and the whole log folded", () => {
    const { commands } = sampleOne(historyArb, 11);
    /** A store holding the snapshot of `commands`' log with its bytes changed by `change`. */
    const tampered = async (change: (bytes: Buffer) => Buffer) => {
      const events = createMemoryEventStore();
      const store = createMemorySnapshotStore();
      await restartOnSnapshot(events, store, commands, commands.length);
      const kept = (await store.load())!;
      const altered = createMemorySnapshotStore();
      await altered.save(kept.position, change(Buffer.from(kept.state as Uint8Array))); // memory: whole
      return { events, store: altered };
    };
    /** Recomputes the envelope's sha256 over a changed body: only the body's own checks can refuse it. */
    const resealed = (bytes: Buffer, change: (body: string) => string) => {
      const newline = bytes.indexOf(0x0a);
      const envelope = JSON.parse(bytes.toString("utf8", 0, newline)) as { sha256: string; encoding: string };
      expect(envelope.encoding).toBe("gzip");
      const body = Buffer.from(change(gunzipSync(bytes.subarray(newline + 1)).toString("utf8")));
      envelope.sha256 = createHash("sha256").update(body).digest("hex");
      return Buffer.concat([Buffer.from(`${JSON.stringify(envelope)}\n`), gzipSync(body)]);
    };
    const ignored = async (events: EventStore, store: SnapshotStore) => {
      const reports: SnapshotReport[] = [];
      const registry = registryOn(events, store, reports);
      await registry.catchUp();
      expect(registry.state).toStrictEqual(await fullFold(events));
      return reports;
    };

    it("corrupt: a byte changed", async () => {
      const { events, store } = await tampered((bytes) => {
        const at = Math.floor(bytes.byteLength / 2);
        bytes[at] = bytes[at]! ^ 0x01;
        return bytes;
      });
      // A flipped byte of the gzipped body fails its CRC, or inflates to text whose sha256 differs.
      expect(await ignored(events, store)).toEqual([
        { type: "refused", reason: expect.stringMatching(/^corrupt: /) },
      ]);
    });

    it("truncated, or not a snapshot at all", async () => {
      for (const change of [(b: Buffer) => b.subarray(0, b.byteLength - 10), () => Buffer.from("hello")]) {
        const { events, store } = await tampered(change);
        expect((await ignored(events, store)).map((r) => r.type)).toEqual(["refused"]);
      }
    });

    it("another format version, or folded with another event schema", async () => {
      for (const [from, to] of [
        [`"version":${SNAPSHOT_FORMAT_VERSION},`, `"version":${SNAPSHOT_FORMAT_VERSION + 1},`],
        ['"schema":"', '"schema":"0'],
      ] as const) {
        const { events, store } = await tampered((bytes) =>
          resealed(bytes, (body) => body.replace(from, to)),
        );
        const [report] = await ignored(events, store);
        expect(report?.type).toBe("refused");
      }
    });

    it("the log does not hold it (a snapshot of another log, or of a log restored from an older backup)", async () => {
      const { store } = await tampered((bytes) => bytes);
      const shorter = createMemoryEventStore();
      await runAll(shorter, commands.slice(0, 3));
      expect(await ignored(shorter, store)).toEqual([
        {
          type: "refused",
          reason: expect.stringMatching(/^the event log does not hold the event at position \d+$/),
        },
      ]);
    });

    it("the snapshot store fails to load", async () => {
      const events = createMemoryEventStore();
      await runAll(events, commands);
      const failing: SnapshotStore = {
        load: () => Promise.reject(new Error("disk on fire")),
        save: async () => {},
        close: async () => {},
      };
      expect((await ignored(events, failing)).map((r) => r.type)).toEqual(["failed"]);
    });
  });

  describe("on PostgreSQL (events and snapshots in one schema)", () => {
    const postgres = lazyPostgres();
    afterAll(() => postgres.release());

    it("a restart after a crash, on the latest snapshot, reaches the state a full fold reaches", async () => {
      const { db, schema } = await postgres.get();
      const events = createPostgresEventStore({ db, schema });
      const store = createPostgresSnapshotStore({ db, schema, chunkSize: 4096 });
      const { commands, cut } = sampleOne(historyArb, 5);
      // The first registry is never closed: it stops as a crash would, after its snapshot.
      const { restarted, reports } = await restartOnSnapshot(events, store, commands, cut);
      expect(reports.map((r) => r.type)).toEqual(["restored"]);
      expect(restarted.state).toStrictEqual(await fullFold(events));
      expect(
        (await restarted.putImageTagMutability({ repositoryName: KEPT, imageTagMutability: "IMMUTABLE" }))
          ._tag,
      ).toBe("Right");
      await events.close();
    });
  });
});
