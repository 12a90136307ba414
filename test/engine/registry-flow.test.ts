import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import type { RepositoryName, UploadId } from "@berth/core";
import { createRegistry } from "@berth/engine";
import { readAllBytes, sha256Digest } from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";

const right = <A>(either: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(either)) throw new Error(either.left.message);
  return either.right;
};

describe("engine: a push through createRegistry on memory storage", () => {
  it("uploads a layer in parts, pushes a manifest and pulls it back", async () => {
    const registry = createRegistry({ events: createMemoryEventStore(), blobs: createMemoryBlobStore() });
    const repositoryName = "team/app" as RepositoryName;
    right(await registry.createRepository({ repositoryName }));
    const layer = new Uint8Array(6 * 1024 * 1024 + 3).map((_, i) => i % 251);
    const split = 5 * 1024 * 1024;
    const { uploadId } = right(await registry.initiateLayerUpload({ repositoryName }));
    right(
      await registry.uploadLayerPart({
        repositoryName,
        uploadId: uploadId as UploadId,
        partFirstByte: 0,
        partLastByte: split - 1,
        layerPartBlob: layer.subarray(0, split),
      }),
    );
    const wrong = await registry.uploadLayerPart({
      repositoryName,
      uploadId,
      partFirstByte: 0,
      partLastByte: 9,
      layerPartBlob: layer.subarray(0, 10),
    });
    expect(E.isLeft(wrong) && wrong.left).toMatchObject({
      _tag: "InvalidLayerPartException",
      lastValidByteReceived: split - 1,
    });
    right(
      await registry.uploadLayerPart({
        repositoryName,
        uploadId,
        partFirstByte: split,
        partLastByte: layer.length - 1,
        layerPartBlob: layer.subarray(split),
      }),
    );
    const digest = sha256Digest(layer);
    expect(
      right(await registry.completeLayerUpload({ repositoryName, uploadId, layerDigests: [digest] })),
    ).toMatchObject({
      layerDigest: digest,
    });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest, size: layer.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest, size: layer.length }],
    });
    const put = right(
      await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" as never }),
    );
    expect(put.image.imageId.imageDigest).toBe(sha256Digest(Buffer.from(manifest)));
    const got = right(await registry.batchGetImage({ repositoryName, imageIds: [{ imageTag: "v1" }] }));
    expect(got.images[0]?.imageManifest).toBe(manifest);
    right(await registry.getDownloadableLayer({ repositoryName, layerDigest: digest }));
    expect(sha256Digest(await readAllBytes(right(await registry.readBlob({ repositoryName, digest }))))).toBe(
      digest,
    );
  });

  it("discards an upload whose bytes do not match the declared digest", async () => {
    const registry = createRegistry({ events: createMemoryEventStore(), blobs: createMemoryBlobStore() });
    const repositoryName = "app" as RepositoryName;
    right(await registry.createRepository({ repositoryName }));
    const { uploadId } = right(await registry.initiateLayerUpload({ repositoryName }));
    const bytes = new Uint8Array([1, 2, 3]);
    right(
      await registry.uploadLayerPart({
        repositoryName,
        uploadId,
        partFirstByte: 0,
        partLastByte: 2,
        layerPartBlob: bytes,
      }),
    );
    const wrongDigest = sha256Digest(new Uint8Array([9]));
    const completed = await registry.completeLayerUpload({
      repositoryName,
      uploadId,
      layerDigests: [wrongDigest],
    });
    expect(E.isLeft(completed) && completed.left._tag).toBe("InvalidLayerException");
    const again = await registry.completeLayerUpload({
      repositoryName,
      uploadId,
      layerDigests: [sha256Digest(bytes)],
    });
    expect(E.isLeft(again) && again.left._tag).toBe("UploadNotFoundException");
  });

  it("reports deleted ids and per-id failures for BatchDeleteImage", async () => {
    const registry = createRegistry({ events: createMemoryEventStore(), blobs: createMemoryBlobStore() });
    const repositoryName = "app" as RepositoryName;
    await registry.putRegistrySettings({ lenient: true });
    right(await registry.createRepository({ repositoryName }));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      config: {
        mediaType: "application/vnd.docker.container.image.v1+json",
        digest: `sha256:${"a".repeat(64)}`,
        size: 1,
      },
      layers: [],
    });
    right(await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: "a" as never }));
    right(await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: "b" as never }));
    const deleted = right(
      await registry.batchDeleteImage({ repositoryName, imageIds: [{ imageTag: "a" }, { imageTag: "zzz" }] }),
    );
    expect(deleted.imageIds).toEqual([{ imageDigest: sha256Digest(Buffer.from(manifest)), imageTag: "a" }]);
    expect(deleted.failures).toMatchObject([{ imageId: { imageTag: "zzz" }, failureCode: "ImageNotFound" }]);
  });
});
