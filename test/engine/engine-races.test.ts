/**
 * Windows in the engine that only show when requests overlap at a precise point, made to happen on
 * purpose: the blob store is wrapped so that a completion stops between measuring an upload and
 * finishing it, while other requests go through. And an event store whose readAll returns fewer
 * events than asked (the port allows it), which the engine's catch-up must read past.
 */
import { randomBytes } from "node:crypto";
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { createPostgresEventStore } from "@berth/adapter-postgres";
import type { RepositoryName, UploadId } from "@berth/core";
import { type BlobStore, createRegistry, type EventStore, type Registry } from "@berth/engine";
import { openLayerUpload, sha256Digest } from "@berth/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { lazyPostgres } from "../support/postgres.js";

const repositoryName = "races/app" as RepositoryName;

/** Resolves once `parties` callers wait on it. */
const barrier = (parties: number) => {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived >= parties) open();
    return opened;
  };
};

/** A memory blob store whose finishUpload first awaits `beforeFinish`. */
const gatedBlobs = (beforeFinish: (uploadId: string) => Promise<void>): BlobStore => {
  const inner = createMemoryBlobStore();
  return {
    ...inner,
    async finishUpload(uploadId, expected) {
      await beforeFinish(uploadId);
      return inner.finishUpload(uploadId, expected);
    },
  };
};

const right = <A>(
  outcome: { _tag: "Left"; left: { _tag: string; message: string } } | { _tag: "Right"; right: A },
): A => {
  if (outcome._tag === "Left") throw new Error(`${outcome.left._tag}: ${outcome.left.message}`);
  return outcome.right;
};

/** An upload of `bytes` in one part, left open. */
const openUpload = (registry: Registry, bytes: Uint8Array): Promise<UploadId> =>
  openLayerUpload(registry, repositoryName, bytes);

describe("engine: completions that overlap other requests", () => {
  it("two uploads of one layer completing at once: one wins, the other is told it exists, no session stays open", async () => {
    const bothMeasured = barrier(2);
    const registry = createRegistry({
      events: createMemoryEventStore(),
      blobs: gatedBlobs(() => bothMeasured()),
    });
    right(await registry.createRepository({ repositoryName }));
    const bytes = randomBytes(1000);
    const uploads = [await openUpload(registry, bytes), await openUpload(registry, bytes)];

    const outcomes = await Promise.all(
      uploads.map((uploadId) =>
        registry.completeLayerUpload({ repositoryName, uploadId, layerDigests: [sha256Digest(bytes)] }),
      ),
    );
    expect(outcomes.map((outcome) => (outcome._tag === "Right" ? "ack" : outcome.left._tag)).sort()).toEqual([
      "LayerAlreadyExistsException",
      "ack",
    ]);
    const repository = [...registry.state.repositories.values()][0]!;
    expect([...repository.layers.keys()]).toEqual([sha256Digest(bytes)]);
    // The loser's bytes were finished into the (same) blob, so its session must be closed too.
    expect([...repository.openUploads.keys()]).toEqual([]);
    expect(registry.state.uploads.size).toBe(0);
  });

  it("a part landing between measuring and finishing: the completion is refused as a value and the session closed", async () => {
    let registry: Registry | undefined;
    const head = randomBytes(600);
    const tail = randomBytes(400);
    let uploadId: UploadId | undefined;
    const blobs = gatedBlobs(async () => {
      // The client's next part arrives while the completion is under way (a retried or pipelined request).
      right(
        await registry!.uploadLayerPart({
          repositoryName,
          uploadId: uploadId!,
          partFirstByte: 600,
          partLastByte: 999,
          layerPartBlob: tail,
        }),
      );
    });
    registry = createRegistry({ events: createMemoryEventStore(), blobs });
    right(await registry.createRepository({ repositoryName }));
    uploadId = await openUpload(registry, head);

    const completed = await registry.completeLayerUpload({
      repositoryName,
      uploadId,
      layerDigests: [sha256Digest(head)],
    });
    expect(completed._tag === "Left" && completed.left._tag).toBe("InvalidLayerException");
    const repository = [...registry.state.repositories.values()][0]!;
    expect(repository.layers.size).toBe(0);
    expect([...repository.openUploads.keys()]).toEqual([]);
    expect(await blobs.stat(sha256Digest(head))).toBeUndefined();
  });

  it("one upload completed twice at once (a retried request): one success, one UploadNotFoundException", async () => {
    const bothMeasured = barrier(2);
    const registry = createRegistry({
      events: createMemoryEventStore(),
      blobs: gatedBlobs(() => bothMeasured()),
    });
    right(await registry.createRepository({ repositoryName }));
    const bytes = randomBytes(700);
    const uploadId = await openUpload(registry, bytes);

    const outcomes = await Promise.all(
      [1, 2].map(() =>
        registry.completeLayerUpload({ repositoryName, uploadId, layerDigests: [sha256Digest(bytes)] }),
      ),
    );
    expect(outcomes.map((outcome) => (outcome._tag === "Right" ? "ack" : outcome.left._tag)).sort()).toEqual([
      "UploadNotFoundException",
      "ack",
    ]);
    const repository = [...registry.state.repositories.values()][0]!;
    expect([...repository.layers.keys()]).toEqual([sha256Digest(bytes)]);
    expect([...repository.openUploads.keys()]).toEqual([]);
  });
});

/** An event store whose readAll never returns more than `cap` events, whatever maxCount asks. */
const capped = (inner: EventStore, cap: number): EventStore => ({
  ...inner,
  readAll: (options = {}) => inner.readAll({ ...options, maxCount: Math.min(options.maxCount ?? cap, cap) }),
});

describe("engine: catching up on an event store that caps readAll", () => {
  const postgres = lazyPostgres();
  afterAll(() => postgres.release());

  const stores: Array<[string, () => Promise<EventStore>]> = [
    ["memory, capped at 3 events a read", async () => capped(createMemoryEventStore(), 3)],
    [
      "postgres with readAllLimit 5",
      async () => {
        const { db, schema, pool } = await postgres.get();
        return createPostgresEventStore({ db, schema, pool, readAllLimit: 5 });
      },
    ],
  ];
  for (const [name, makeEvents] of stores) {
    it(`${name}: a fresh engine sees every write of another`, async () => {
      const events = await makeEvents();
      const blobs = createMemoryBlobStore();
      const writer = createRegistry({ events, blobs });
      const names = Array.from(
        { length: 12 },
        (_, i) => `capped/${name.startsWith("memory") ? "memory" : "postgres"}-${i}` as RepositoryName,
      );
      for (const repositoryName of names) right(await writer.createRepository({ repositoryName }));

      const reader = createRegistry({ events, blobs });
      const described = right(await reader.describeRepositories({ repositoryNames: names }));
      expect(described.repositories.map((r) => r.repositoryName)).toEqual(names);
      // And it keeps up: more writes through the first engine, seen by the next read of the second.
      const more = Array.from(
        { length: 8 },
        (_, i) => `capped/${name.startsWith("memory") ? "memory" : "postgres"}-more-${i}` as RepositoryName,
      );
      for (const repositoryName of more) right(await writer.createRepository({ repositoryName }));
      expect(right(await reader.describeRepositories({ repositoryNames: more })).repositories).toHaveLength(
        8,
      );
      await events.close();
    });
  }
});
