/**
 * Pull times through the engine: a burst of concurrent pulls, in two processes sharing one store,
 * records the image once; the next record comes only a day later; a read that is no pull (a `/v2`
 * HEAD) records nothing; the pulls themselves never wait for the record; the first pulls of many
 * images in many repositories are gathered into one record, written after a moment without anyone
 * asking.
 */
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import type { RepositoryName } from "@berth/core";
import {
  createRegistry,
  type EventStore,
  PULL_RECORD_DELAY_MS,
  PULL_RECORD_MAX_IMAGES,
  type Registry,
} from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";

const DAY = 86_400_000;
const repositoryName = "team/app" as RepositoryName;
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: `sha256:${"a".repeat(64)}`,
    size: 1,
  },
  layers: [],
});

const pullRecords = async (events: EventStore) =>
  (await events.readAll({ after: 0n, maxCount: 10_000 })).filter(
    (event) => event.type === "ImagePullsRecorded",
  );

describe("engine: pull times", () => {
  it("a burst of pulls in two processes records once; a day later once more; a HEAD never", async () => {
    const events = createMemoryEventStore();
    const blobs = createMemoryBlobStore();
    let now = 1_700_000_000_000;
    const processes: Registry[] = [0, 1].map(() => createRegistry({ events, blobs, clock: () => now }));
    const [first, second] = processes as [Registry, Registry];
    await first.putRegistrySettings({ registryId: "000000000000" as never, lenient: true });
    await first.createRepository({ repositoryName });
    const pushed = await first.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" as never });
    if (E.isLeft(pushed)) throw new Error(pushed.left.message);

    const pull = (registry: Registry, countsAsPull = true) =>
      registry.batchGetImage({ repositoryName, imageIds: [{ imageTag: "v1" }], countsAsPull });
    const settled = () => Promise.all(processes.map((registry) => registry.pullsRecorded()));

    await Promise.all(processes.map((registry) => pull(registry, false)));
    await settled();
    expect(await pullRecords(events)).toHaveLength(0);

    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => pull(processes[i % 2]!)));
    expect(answers.every((answer) => E.isRight(answer) && answer.right.images.length === 1)).toBe(true);
    await settled();
    expect((await pullRecords(events)).map((event) => event.data)).toEqual([
      expect.objectContaining({
        pulls: [{ repositoryName, imageDigests: [pushed.right.image.imageId.imageDigest] }],
        pulledAt: now,
      }),
    ]);

    now += DAY - 1;
    await Promise.all([pull(first), pull(second)]);
    await settled();
    expect(await pullRecords(events)).toHaveLength(1);
    now += 1;
    await Promise.all([pull(first), pull(second)]);
    await settled();
    expect(await pullRecords(events)).toHaveLength(2);
    await second.catchUp();
    const described = await second.describeImages({ repositoryName });
    expect(E.isRight(described) && described.right.imageDetails[0]?.lastRecordedPullTime).toBe(now);
  });

  it("first pulls of many images in many repositories: one record, one write at a time, unasked", async () => {
    const memory = createMemoryEventStore();
    let writing = 0;
    let most = 0;
    const events: EventStore = {
      ...memory,
      appendIfLogAt: async (stream, appended, expected, position) => {
        const records = appended.some((event) => event.type === "ImagePullsRecorded");
        if (records) most = Math.max(most, ++writing);
        try {
          await new Promise((resolve) => setTimeout(resolve, 2));
          return await memory.appendIfLogAt!(stream, appended, expected, position);
        } finally {
          if (records) writing--;
        }
      },
    };
    const registry = createRegistry({ events, blobs: createMemoryBlobStore() });
    await registry.putRegistrySettings({ registryId: "000000000000" as never, lenient: true });
    const images: Array<[RepositoryName, string]> = [];
    for (let r = 0; r < 6; r++) {
      const name = `many/r${r}` as RepositoryName;
      await registry.createRepository({ repositoryName: name });
      for (let i = 0; i < 5; i++) {
        const text = manifest.replace('"layers":[]', `"layers":[],"annotations":{"n":"${r}-${i}"}`);
        const pushed = await registry.putImage({ repositoryName: name, imageManifest: text });
        if (E.isLeft(pushed)) throw new Error(pushed.left.message);
        images.push([name, pushed.right.image.imageId.imageDigest]);
      }
    }
    const answers = await Promise.all(
      images.map(([name, imageDigest]) =>
        registry.batchGetImage({ repositoryName: name, imageIds: [{ imageDigest }] }),
      ),
    );
    expect(answers.every((answer) => E.isRight(answer) && answer.right.images.length === 1)).toBe(true);
    expect(await pullRecords(memory)).toHaveLength(0); // gathered, not yet written
    // Nobody calls pullsRecorded: the gathering is written once its moment has passed.
    await new Promise((resolve) => setTimeout(resolve, PULL_RECORD_DELAY_MS + 200));
    const recorded = await pullRecords(memory);
    expect(recorded).toHaveLength(1);
    const pulls = (recorded[0]!.data as { pulls: Array<{ repositoryName: string; imageDigests: string[] }> })
      .pulls;
    expect(pulls.flatMap((p) => p.imageDigests.map((digest) => [p.repositoryName, digest]))).toEqual(images);
    expect(most).toBe(1);
    // A later pull of the same images records nothing (not due for a day).
    await registry.batchGetImage({
      repositoryName: images[0]![0],
      imageIds: [{ imageDigest: images[0]![1] }],
    });
    await registry.pullsRecorded();
    expect(await pullRecords(memory)).toHaveLength(1);
  });
});

describe("engine: a full gathering of pulls", () => {
  it(`is written at ${PULL_RECORD_MAX_IMAGES} images, without waiting out the quarter second`, async () => {
    const events = createMemoryEventStore();
    const registry = createRegistry({ events, blobs: createMemoryBlobStore() });
    await registry.putRegistrySettings({ registryId: "000000000000" as never, lenient: true });
    const name = "many/images" as RepositoryName;
    await registry.createRepository({ repositoryName: name });
    const digests: string[] = [];
    for (let i = 0; i <= PULL_RECORD_MAX_IMAGES; i++) {
      const text = manifest.replace('"layers":[]', `"layers":[],"annotations":{"n":"${i}"}`);
      const pushed = await registry.putImage({ repositoryName: name, imageManifest: text });
      if (E.isLeft(pushed)) throw new Error(pushed.left.message);
      digests.push(pushed.right.image.imageId.imageDigest);
    }
    // One more image than a gathering holds, pulled 100 at a time, well within a quarter second.
    for (let at = 0; at < digests.length; at += 100) {
      const imageIds = digests.slice(at, at + 100).map((imageDigest) => ({ imageDigest }));
      const answer = await registry.batchGetImage({ repositoryName: name, imageIds });
      expect(E.isRight(answer) && answer.right.images.length).toBe(imageIds.length);
    }
    await registry.pullsRecorded();
    const sizes = (await pullRecords(events)).map(
      (event) => (event.data as { pulls: Array<{ imageDigests: string[] }> }).pulls[0]!.imageDigests.length,
    );
    expect(sizes).toEqual([PULL_RECORD_MAX_IMAGES, 1]);
  });
});
