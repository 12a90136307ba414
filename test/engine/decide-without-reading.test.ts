/**
 * The command handler decides on the state it already holds and appends only if the log still ends
 * where that state does (EventStore.appendIfLogAt): no read before a command. What another process
 * wrote in between must still be seen, by a refusal, by an acceptance, and by a decision that reads
 * a stream other than the one it appends to.
 */
import { randomBytes } from "node:crypto";
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { createPostgresEventStore } from "@berth/adapter-postgres";
import type { BerthCommand, Digest, RepositoryName } from "@berth/core";
import { CommandHandler, createRegistry, type EventStore, type Registry } from "@berth/engine";
import { sha256Digest } from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, describe, expect, it } from "vitest";
import { lazyPostgres, recordingDb } from "../support/postgres.js";

const outcome = (either: E.Either<{ readonly _tag: string }, unknown>) =>
  E.isLeft(either) ? either.left._tag : "ok";

const right = <A>(either: E.Either<{ readonly _tag: string; readonly message: string }, A>): A => {
  if (E.isLeft(either)) throw new Error(`${either.left._tag}: ${either.left.message}`);
  return either.right;
};

const created = async (registry: Registry, name: string) =>
  outcome(await registry.createRepository({ repositoryName: name as RepositoryName }));

describe("engine: decided without a read, still on the whole log", () => {
  const postgres = lazyPostgres();
  afterAll(() => postgres.release());

  const stores: Array<[string, () => Promise<EventStore>]> = [
    ["memory", async () => createMemoryEventStore()],
    [
      "postgres",
      async () => {
        const { db, schema, pool } = await postgres.get();
        return createPostgresEventStore({ db, schema, pool, readAllLimit: 2 });
      },
    ],
  ];
  it("postgres: a command on an engine that holds the whole log is one statement", async () => {
    const { pool, schema } = await postgres.get();
    const { db, statements } = recordingDb(pool);
    const registry = createRegistry({
      events: createPostgresEventStore({ db, schema }),
      blobs: createMemoryBlobStore(),
    });
    expect(await created(registry, "counted/first")).toBe("ok");
    statements.length = 0;
    expect(await created(registry, "counted/second")).toBe("ok");
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain("berth_append");
  });

  for (const [name, makeEvents] of stores) {
    it(`${name}: two engines on one log see each other's writes at their next command`, async () => {
      const events = await makeEvents();
      expect(events.appendIfLogAt).toBeDefined();
      const blobs = createMemoryBlobStore();
      const [one, two] = [createRegistry({ events, blobs }), createRegistry({ events, blobs })];
      const prefix = `unread/${name}`;
      expect(await created(two, `${prefix}/two`)).toBe("ok"); // `two` now holds the log as it was

      // A refusal decided on stale state is confirmed on the whole log first.
      expect(await created(one, `${prefix}/shared`)).toBe("ok");
      expect(await created(two, `${prefix}/shared`)).toBe("RepositoryAlreadyExistsException");

      // An acceptance: the append finds the log moved on, folds what it missed and decides again.
      for (let i = 0; i < 5; i++) expect(await created(one, `${prefix}/more-${i}`)).toBe("ok");
      expect(await created(two, `${prefix}/other`)).toBe("ok");
      const names = [...two.state.repositories.values()]
        .map((r) => r.name as string)
        .filter((n) => n.startsWith(`${prefix}/`))
        .sort();
      expect(names).toEqual(
        ["more-0", "more-1", "more-2", "more-3", "more-4", "other", "shared", "two"].map(
          (n) => `${prefix}/${n}`,
        ),
      );
      // …and appended it exactly once.
      const log = await events.readStream(`repository-000000000000-${prefix}/other`);
      expect(log.map((event) => event.type)).toEqual(["RepositoryCreated"]);

      // A repository `one` deleted is gone for `two`'s next command on it.
      expect(outcome(await one.deleteRepository({ repositoryName: `${prefix}/two` as RepositoryName }))).toBe(
        "ok",
      );
      expect(
        outcome(
          await two.putImageTagMutability({
            repositoryName: `${prefix}/two` as RepositoryName,
            imageTagMutability: "IMMUTABLE",
          }),
        ),
      ).toBe("RepositoryNotFoundException");
      await events.close();
    });

    it(`${name}: a decision that reads another stream is not appended on a stale view of it`, async () => {
      const events = await makeEvents();
      const blobs = createMemoryBlobStore();
      const one = createRegistry({ events, blobs });
      const from = `mount/${name}-from` as RepositoryName;
      const to = `mount/${name}-to` as RepositoryName;
      expect(await created(one, from)).toBe("ok");
      expect(await created(one, to)).toBe("ok");
      const bytes = randomBytes(100);
      const { uploadId } = right(await one.initiateLayerUpload({ repositoryName: from }));
      const part = { partFirstByte: 0, partLastByte: 99, layerPartBlob: bytes };
      right(await one.uploadLayerPart({ repositoryName: from, uploadId, ...part }));
      const layerDigest = sha256Digest(bytes) as Digest;
      right(await one.completeLayerUpload({ repositoryName: from, uploadId, layerDigests: [layerDigest] }));
      // Another process, caught up; then blob mounting is disabled (the registry's stream) behind it.
      const two = new CommandHandler(events);
      await two.catchUp();
      right(await one.putAccountSetting({ name: "BLOB_MOUNTING", value: "DISABLED" }));

      // Its stale view says "enabled": a mount into `to` (the repository's stream) must still be refused.
      const mount = { registryId: "000000000000", repositoryName: to, layerDigest, fromRepository: from };
      const mounted = await two.execute({
        type: "MountLayer",
        data: { ...mount, mountedAt: Date.now(), retentionId: "r" },
      } as BerthCommand);
      expect(outcome(mounted)).toBe("BlobMountingDisabled");
      expect((await events.readStream(`repository-000000000000-${to}`)).map((e) => e.type)).toEqual([
        "RepositoryCreated",
      ]);
      await events.close();
    });
  }
});
