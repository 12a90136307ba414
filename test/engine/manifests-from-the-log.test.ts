/**
 * The state keeps no manifest text: a pull reads it from the log (the image's ImagePushed event),
 * through a bounded cache. These tests pull byte-exact manifests through the engine on a store with
 * the index (`readImageManifest`) and on one without it, with no cache at all, after a restart, and
 * check that the folded state holds no manifest text.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { openSqliteEventStore } from "@berth/adapter-sqlite";
import { type Digest, encodeStateSnapshot, type ImageTag, type RepositoryName } from "@berth/core";
import { createManifestReader, createRegistry, type EventStore } from "@berth/engine";
import {
  CONVENTIONAL_STYLE,
  expectRight,
  imageManifestArb,
  indexManifestArb,
  manifestStyleArb,
  pushImageBlobs,
  uniqueRepositoryName,
} from "@berth/testkit";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

/** The store as a third-party adapter might be: no manifest index, so the engine reads the stream. */
const withoutIndex = (store: EventStore): EventStore => {
  const { readImageManifest: _, ...rest } = store;
  return rest;
};

/** Counts the store's manifest lookups and stream reads. */
const counting = (store: EventStore) => {
  const counts = { lookups: 0, streamReads: 0 };
  const counted: EventStore = {
    ...store,
    readStream: (...args) => {
      counts.streamReads++;
      return store.readStream(...args);
    },
    readImageManifest: (...args) => {
      counts.lookups++;
      return store.readImageManifest!(...args);
    },
  };
  return { counts, store: counted };
};

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

const sqliteStore = async () => {
  const directory = await mkdtemp(join(tmpdir(), "berth-manifests-"));
  directories.push(directory);
  return openSqliteEventStore({ path: join(directory, "events.db") });
};

const stores: ReadonlyArray<[string, () => Promise<EventStore>]> = [
  ["memory (indexed)", async () => createMemoryEventStore()],
  ["memory without the index (stream reads)", async () => withoutIndex(createMemoryEventStore())],
  ["SQLite (indexed)", sqliteStore],
];

describe.each(stores)("manifests served from the log: %s", (_, makeStore) => {
  it("pulls every manifest byte-exact, with no cache and after a restart", async () => {
    const events = await makeStore();
    const blobs = createMemoryBlobStore();
    const registry = createRegistry({ events, blobs, manifestCacheSize: 0 });
    const repositoryName = uniqueRepositoryName("manifests");
    expectRight(await registry.createRepository({ repositoryName }));
    const { config, layers } = await pushImageBlobs(registry, repositoryName, { layerCount: 2 });
    // Escapes, non-ASCII, spacing and key orders; no unpaired surrogates (refused before the log).
    const styles = manifestStyleArb({ unicode: false }).map((style) => ({
      ...style,
      rawLoneSurrogates: false,
    }));
    const drafts = fc.sample(imageManifestArb(config, layers, styles), { numRuns: 12, seed: 13 });
    const index = fc.sample(indexManifestArb(drafts.slice(0, 3), styles), { numRuns: 1, seed: 13 })[0]!;
    const pushed = new Map<string, string>();
    for (const draft of [...drafts, index]) {
      expectRight(await registry.putImage({ repositoryName, imageManifest: draft.manifest }));
      pushed.set(draft.digest, draft.manifest);
    }

    const pullAll = async (from: typeof registry) => {
      const imageIds = [...pushed.keys()].map((imageDigest) => ({ imageDigest }));
      const got = expectRight(await from.batchGetImage({ repositoryName, imageIds }));
      expect(got.failures).toEqual([]);
      for (const image of got.images) {
        expect(image.imageManifest === pushed.get(image.imageId.imageDigest)).toBe(true);
      }
      expect(got.images).toHaveLength(pushed.size);
    };
    await pullAll(registry);
    await pullAll(createRegistry({ events, blobs, manifestCacheSize: 0 }));
  });
});

describe("the folded state holds no manifest text", () => {
  it("a snapshot of the state does not contain the manifests it was folded from", async () => {
    const registry = createRegistry({ events: createMemoryEventStore(), blobs: createMemoryBlobStore() });
    const repositoryName = "no/manifests" as RepositoryName;
    expectRight(await registry.createRepository({ repositoryName }));
    const marker = "a-marker-only-the-manifest-holds";
    const { manifest } = await pushImageBlobs(registry, repositoryName, {
      style: { ...CONVENTIONAL_STYLE, annotations: { note: marker } },
    });
    expect(manifest.manifest).toContain(marker);
    expectRight(
      await registry.putImage({
        repositoryName,
        imageManifest: manifest.manifest,
        imageTag: "v1" as ImageTag,
      }),
    );
    const lines = [...encodeStateSnapshot({ position: 0n, versions: new Map(), state: registry.state })];
    const draft = manifest;
    expect(lines.join("")).toContain(draft!.digest);
    expect(lines.join("")).not.toContain(marker);
  });
});

describe("the manifest cache", () => {
  it("keeps the most recently read manifests within its bound, and reads a burst once", async () => {
    const memory = createMemoryEventStore();
    const { counts, store } = counting(memory);
    const ref = { registryId: "000000000000", repositoryName: "cache/test" } as never;
    const stream = "repository-000000000000-cache/test";
    const texts = ["a".repeat(40), "b".repeat(40), "c".repeat(40)];
    const digests = texts.map((_, i) => `sha256:${i}` as Digest);
    await memory.appendToStream(
      stream,
      texts.map((imageManifest, i) => ({
        type: "ImagePushed",
        data: { imageDigest: digests[i], imageManifest },
      })),
    );
    const reader = createManifestReader(store, 100);
    const burst = await Promise.all([1, 2, 3].map(() => reader.read(ref, digests[0]!)));
    expect(burst).toEqual([texts[0], texts[0], texts[0]]);
    expect(counts.lookups).toBe(1);
    await reader.read(ref, digests[1]!);
    await reader.read(ref, digests[2]!); // 120 characters: the least recently read (a) goes
    expect(counts.lookups).toBe(3);
    await reader.read(ref, digests[2]!);
    await reader.read(ref, digests[1]!);
    expect(counts.lookups).toBe(3);
    expect(await reader.read(ref, digests[0]!)).toBe(texts[0]);
    expect(counts.lookups).toBe(4);
    expect(counts.streamReads).toBe(0);
    expect(await reader.read(ref, "sha256:none" as Digest)).toBeUndefined();
  });
});

describe("a pull reads its manifest while it catches up", () => {
  it("the lookup of an image the state holds starts before the catch-up's read ends", async () => {
    const memory = createMemoryEventStore();
    const registry = createRegistry({ events: memory, blobs: createMemoryBlobStore(), manifestCacheSize: 0 });
    const repositoryName = "read/ahead" as RepositoryName;
    expectRight(await registry.createRepository({ repositoryName }));
    const { manifest } = await pushImageBlobs(registry, repositoryName);
    expectRight(await registry.putImage({ repositoryName, imageManifest: manifest.manifest }));

    // The catch-up's read is held until the manifest lookup starts (or a second has passed).
    let lookupStarted: () => void = () => {};
    let lookup = Promise.resolve();
    const order: string[] = [];
    const events: EventStore = {
      ...memory,
      readAll: async (options) => {
        order.push("read");
        await Promise.race([lookup, new Promise((resolve) => setTimeout(resolve, 1_000))]);
        order.push("read done");
        return memory.readAll(options);
      },
      readImageManifest: (...args) => {
        order.push("lookup");
        lookupStarted();
        return memory.readImageManifest!(...args);
      },
    };
    const puller = createRegistry({ events, blobs: createMemoryBlobStore(), manifestCacheSize: 0 });
    await puller.catchUp(); // not held: `lookup` is resolved
    order.length = 0;
    lookup = new Promise<void>((resolve) => {
      lookupStarted = resolve;
    });
    const imageIds = [{ imageDigest: manifest.digest }, { imageDigest: `sha256:${"9".repeat(64)}` }];
    const got = expectRight(await puller.batchGetImage({ repositoryName, imageIds }));
    expect(got.images.map((image) => image.imageManifest)).toEqual([manifest.manifest]);
    // One lookup (none for the digest the state does not hold), begun while the read was held.
    expect(order.filter((step) => step === "lookup")).toHaveLength(1);
    expect(order.indexOf("lookup")).toBeLessThan(order.indexOf("read done"));
  });
});
