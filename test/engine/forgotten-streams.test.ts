/**
 * The command handler remembers the versions of the streams it used last, not of every stream ever
 * (a registry makes one per upload). These tests make it forget almost everything and check that
 * commands on forgotten streams still land, exactly once, in one process and across two.
 */
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import type { ImageTag, RepositoryName } from "@berth/core";
import { createRegistry, type EventStore } from "@berth/engine";
import { expectRight, pushImageBlobs, pushLayer } from "@berth/testkit";
import { describe, expect, it } from "vitest";

const countStreamReads = (store: EventStore) => {
  const counts = { versionLookups: 0 };
  const counted: EventStore = {
    ...store,
    streamVersion: (stream) => {
      counts.versionLookups++;
      return store.streamVersion(stream);
    },
  };
  return { counts, store: counted };
};

describe("a handler that remembers one stream's version", () => {
  const pushRounds = async (rememberedStreams: number | undefined) => {
    const { counts, store } = countStreamReads(createMemoryEventStore());
    const registry = createRegistry({
      events: store,
      blobs: createMemoryBlobStore(),
      ...(rememberedStreams === undefined ? {} : { rememberedStreams }),
    });
    const names = ["one", "two", "three"].map((name) => `forget/${name}` as RepositoryName);
    for (const repositoryName of names) expectRight(await registry.createRepository({ repositoryName }));
    for (let round = 0; round < 3; round++) {
      for (const repositoryName of names) {
        const { manifest } = await pushImageBlobs(registry, repositoryName, { layerCount: 2 });
        expectRight(
          await registry.putImage({
            repositoryName,
            imageManifest: manifest.manifest,
            imageTag: `r${round}` as ImageTag,
          }),
        );
      }
    }
    return { counts, store, registry, names };
  };

  it("remembering every stream it needs, it never looks a version up", async () => {
    expect((await pushRounds(undefined)).counts.versionLookups).toBe(0);
  });

  it("pushes into repositories it keeps forgetting: looked up, never doubled", async () => {
    const { counts, store, registry, names } = await pushRounds(1);
    expect(counts.versionLookups).toBeGreaterThan(0);
    for (const repositoryName of names) {
      const listed = expectRight(await registry.listImages({ repositoryName }));
      expect(listed.imageIds.filter((id) => id.imageTag !== undefined)).toHaveLength(3);
    }
    // Every stream's versions are dense: nothing was appended twice or out of order.
    const log = await store.readAll({ maxCount: 100_000 });
    const last = new Map<string, number>();
    for (const event of log) {
      expect(event.streamVersion).toBe((last.get(event.streamName) ?? 0) + 1);
      last.set(event.streamName, event.streamVersion);
    }
  });

  it("two such handlers on one store interleave pushes and uploads on shared streams", async () => {
    const events = createMemoryEventStore();
    const blobs = createMemoryBlobStore();
    const [a, b] = [0, 1].map(() => createRegistry({ events, blobs, rememberedStreams: 1 }));
    const repositoryName = "forget/shared" as RepositoryName;
    expectRight(await a!.createRepository({ repositoryName }));
    const pushes = Array.from({ length: 8 }, async (_, i) => {
      const registry = i % 2 === 0 ? a! : b!;
      const layer = await pushLayer(registry, repositoryName, Buffer.from(`layer ${i}`));
      const { manifest } = await pushImageBlobs(registry, repositoryName);
      expectRight(
        await registry.putImage({
          repositoryName,
          imageManifest: manifest.manifest,
          imageTag: `t${i}` as ImageTag,
        }),
      );
      return layer;
    });
    await Promise.all(pushes);
    const described = expectRight(await b!.describeImages({ repositoryName }));
    expect(described.imageDetails.flatMap((detail) => detail.imageTags ?? []).sort()).toEqual(
      ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"].sort(),
    );
  });
});
