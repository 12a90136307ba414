/**
 * When completing an upload retains its blob. A blob the whole log has never heard of cannot be
 * condemned by any sweep, so its layer is recorded without a retention (one append fewer per upload
 * of new bytes), appended only while the log still has not heard of it. Otherwise the blob is
 * retained first, as always; and an engine whose state lagged behind the log (another process linked
 * or condemned the same bytes) retains it once it finds out, and never records a layer whose bytes a
 * sweep deleted. Two registries on one event store and one blob store stand for two processes.
 */
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { RegistryErrors, type RepositoryName, type UploadId } from "@berth/core";
import { type BlobStore, createRegistry, type EventStore, type Registry } from "@berth/engine";
import { expectRight, type LayerBlob, layerBlobOf, openLayerUpload } from "@berth/testkit";
import { describe, expect, it } from "vitest";

const here = "retention/here" as RepositoryName;
const there = "retention/there" as RepositoryName;

/** An upload of `blob` in one part, left open. */
const openUpload = (registry: Registry, repositoryName: RepositoryName, blob: LayerBlob) =>
  openLayerUpload(registry, repositoryName, blob.bytes);

const complete = (registry: Registry, repositoryName: RepositoryName, uploadId: UploadId, blob: LayerBlob) =>
  registry.completeLayerUpload({ repositoryName, uploadId, layerDigests: [blob.digest] });

const eventsOf = async (events: EventStore, type: string) =>
  (await events.readAll()).filter((event) => event.type === type).map((event) => event.data);

/** Two engines on one log and one blob store; `blobsThere` may wrap the store for the second. */
const twoProcesses = async (blobsThere: (blobs: BlobStore) => BlobStore = (blobs) => blobs) => {
  const events = createMemoryEventStore();
  const blobs = createMemoryBlobStore();
  const options = { events, gcGrace: 0 };
  const first = createRegistry({ ...options, blobs });
  const second = createRegistry({ ...options, blobs: blobsThere(blobs) });
  expectRight(await first.createRepository({ repositoryName: here }));
  expectRight(await second.createRepository({ repositoryName: there }));
  return { events, blobs, first, second };
};

describe("engine: retaining the blob of a completing upload", () => {
  it("records the layer of bytes the log has never heard of without a retention", async () => {
    const { events, first } = await twoProcesses();
    const blob = layerBlobOf("new bytes");
    expectRight(await complete(first, here, await openUpload(first, here, blob), blob));
    expect(await eventsOf(events, "BlobRetained")).toEqual([]);
    expect(await eventsOf(events, "LayerUploadCompleted")).toHaveLength(1);
  });

  it("retains first when the log knows the blob, and on a store that cannot guard appends", async () => {
    const { events, first } = await twoProcesses();
    const blob = layerBlobOf("known bytes");
    expectRight(await complete(first, here, await openUpload(first, here, blob), blob));
    const again = await openUpload(first, there, blob);
    expectRight(await complete(first, there, again, blob));
    expect(await eventsOf(events, "BlobRetained")).toMatchObject([
      { digest: blob.digest, retentionId: again },
    ]);

    const unguarded = createMemoryEventStore();
    const { appendIfLogAt: _, ...withoutGuard } = unguarded;
    const registry = createRegistry({ events: withoutGuard, blobs: createMemoryBlobStore() });
    expectRight(await registry.createRepository({ repositoryName: here }));
    expectRight(await complete(registry, here, await openUpload(registry, here, blob), blob));
    expect(await eventsOf(unguarded, "BlobRetained")).toMatchObject([{ digest: blob.digest }]);
  });

  it("an engine that had not heard of a blob linked elsewhere meanwhile retains it, then records the layer", async () => {
    const { events, blobs, first, second } = await twoProcesses();
    const blob = layerBlobOf("linked elsewhere meanwhile");
    const uploadId = await openUpload(first, here, blob);
    // The second process links the same bytes; the first has not read that yet.
    expectRight(await complete(second, there, await openUpload(second, there, blob), blob));

    expectRight(await complete(first, here, uploadId, blob));
    expect(await eventsOf(events, "BlobRetained")).toMatchObject([
      { digest: blob.digest, retentionId: uploadId },
    ]);
    expect(await eventsOf(events, "LayerUploadCompleted")).toHaveLength(2);
    expect(await blobs.stat(blob.digest)).toEqual({ digest: blob.digest, size: blob.size });
  });

  it("never records a layer whose bytes a sweep condemned and deleted while the upload completed", async () => {
    let releaseDelete: () => void = () => {};
    const deleteReleased = new Promise<void>((resolve) => {
      releaseDelete = resolve;
    });
    const { events, blobs, first, second } = await twoProcesses((inner) => ({
      ...inner,
      delete: async (digest) => {
        await deleteReleased;
        return inner.delete(digest);
      },
    }));
    const blob = layerBlobOf("condemned meanwhile");
    const uploadId = await openUpload(first, here, blob);
    // The second process links the bytes, and its sweep condemns them (no image references them,
    // grace 0): it stops before deleting them.
    expectRight(await complete(second, there, await openUpload(second, there, blob), blob));
    const sweep = second.collectGarbage();
    while ((await eventsOf(events, "BlobCollected")).length === 0) await new Promise((r) => setTimeout(r, 5));

    const completing = complete(first, here, uploadId, blob);
    setTimeout(releaseDelete, 50);
    const refused = await completing;
    await sweep;
    expect(refused).toEqual({
      _tag: "Left",
      left: RegistryErrors.invalidLayer(
        `Layer ${blob.digest} was being garbage-collected while upload '${uploadId}' completed; upload it again`,
      ),
    });
    const completed = await eventsOf(events, "LayerUploadCompleted");
    expect(completed.map((data) => (data as { uploadId: string }).uploadId)).not.toContain(uploadId);
    expect(await blobs.stat(blob.digest)).toBeUndefined();
    const progress = await first.layerUploadProgress({ repositoryName: here, uploadId });
    expect(progress._tag === "Left" && progress.left._tag).toBe("UploadNotFoundException");
  });
});
