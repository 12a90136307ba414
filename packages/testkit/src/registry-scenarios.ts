/**
 * Whole-registry scenarios through `createRegistry`, as a vitest suite an adapter author runs
 * against their own EventStore and BlobStore, unchanged:
 *
 *   describeRegistryScenarios("my stores", async () => ({ events, blobs, teardown }));
 *
 * The contract suites check each port on its own; these check that the engine, run on the two
 * ports together, behaves like a registry: pushes and pulls byte-exact, tags moved or refused,
 * uploads that fail their digest leave nothing behind, and two engines sharing the stores (two
 * processes on one database) see each other's writes on their next read.
 *
 * `makeStores` is called before each test. Stores may share one database across tests: every
 * scenario works in repositories of its own and never assumes an empty log.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  type Digest,
  ImageTag,
  type ImageTagMutability,
  LAYER_PART_MIN_BYTES,
  RepositoryName,
} from "@berth/core";
import {
  type BlobStore,
  createRegistry,
  type EventStore,
  type Registry,
  type RegistryOptions,
  UploadUnknownError,
} from "@berth/engine";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { branded } from "./branded.js";
import { type LayerBlob, layerBlobOf } from "./layer-blobs.js";
import {
  CONVENTIONAL_STYLE,
  imageManifestOf,
  type ManifestDraft,
  type ManifestStyle,
} from "./manifest-arbitraries.js";

/** The two stores an engine runs on, and how to dispose of them after a test. */
export interface RegistryStores {
  readonly events: EventStore;
  readonly blobs: BlobStore;
  readonly teardown?: () => Promise<void>;
}

export type MakeRegistryStores = () => Promise<RegistryStores>;

export interface RegistryScenarioOptions {
  /** Extra options for every `createRegistry` of the suite (clock, ids, readBatchSize…). */
  readonly registry?: Omit<RegistryOptions, "events" | "blobs">;
}

// ---------------------------------------------------------------------------------------------------
// Helpers (exported: handy for adapter-specific scenarios too)

/** fp-ts's Either as the engine returns it, spelled structurally (the testkit does not need fp-ts). */
type Outcome<A> =
  | { readonly _tag: "Left"; readonly left: { readonly _tag: string; readonly message: string } }
  | {
      readonly _tag: "Right";
      readonly right: A;
    };

/** The Right of a registry answer; a Left fails the test with the error's name and message. */
export const expectRight = <A>(outcome: Outcome<A>): A => {
  if (outcome._tag === "Left") {
    throw new Error(`Expected success, got ${outcome.left._tag}: ${outcome.left.message}`);
  }
  return outcome.right;
};

/** The Left of a registry answer, checked to carry the ECR exception `tag`. */
export const expectRefusal = <E extends { readonly _tag: string; readonly message: string }>(
  outcome: { readonly _tag: "Left"; readonly left: E } | { readonly _tag: "Right"; readonly right: unknown },
  tag: string,
): E => {
  if (outcome._tag === "Right")
    throw new Error(`Expected ${tag}, got a success: ${JSON.stringify(outcome.right)}`);
  expect(outcome.left._tag).toBe(tag);
  return outcome.left;
};

/** All the bytes of a stream. */
export const readAllBytes = async (stream: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

const sha256Of = (bytes: Uint8Array): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** A repository name no other test uses (the stores may be shared across tests). */
export const uniqueRepositoryName = (label: string): RepositoryName =>
  branded(RepositoryName, `scenarios/${label}-${randomUUID().slice(0, 8)}`);

export interface PushLayerOptions {
  /** Where to cut the bytes into parts (default: one part). */
  readonly partSizes?: ReadonlyArray<number>;
  /** "oci" accepts non-final parts under 5 MiB (default "ecr"). */
  readonly rules?: "ecr" | "oci";
}

/** InitiateLayerUpload, one UploadLayerPart per part, CompleteLayerUpload: the layer as a client pushes it. */
export const pushLayer = async (
  registry: Registry,
  repositoryName: RepositoryName,
  bytes: Uint8Array,
  options: PushLayerOptions = {},
): Promise<LayerBlob> => {
  const { uploadId } = expectRight(await registry.initiateLayerUpload({ repositoryName }));
  let first = 0;
  for (const size of [...(options.partSizes ?? []), bytes.length]) {
    const last = Math.min(first + size, bytes.length) - 1;
    if (last < first) break;
    const answer = expectRight(
      await registry.uploadLayerPart({
        repositoryName,
        uploadId,
        partFirstByte: first,
        partLastByte: last,
        layerPartBlob: bytes.subarray(first, last + 1),
      }),
    );
    expect(answer.lastByteReceived).toBe(last);
    first = last + 1;
  }
  const blob = layerBlobOf(bytes);
  const completed = expectRight(
    await registry.completeLayerUpload({
      repositoryName,
      uploadId,
      layerDigests: [blob.digest],
      ...(options.rules === undefined ? {} : { rules: options.rules }),
    }),
  );
  expect(completed.layerDigest).toBe(blob.digest);
  return blob;
};

/** A config blob and `layerCount` layers pushed into `repositoryName`, and an image manifest over them. */
export const pushImageBlobs = async (
  registry: Registry,
  repositoryName: RepositoryName,
  options: {
    readonly layerCount?: number;
    readonly style?: ManifestStyle;
    readonly format?: "docker" | "oci";
  } = {},
): Promise<{ config: LayerBlob; layers: LayerBlob[]; manifest: ManifestDraft }> => {
  const config = await pushLayer(registry, repositoryName, Buffer.from(JSON.stringify({ id: randomUUID() })));
  const layers: LayerBlob[] = [];
  for (let i = 0; i < (options.layerCount ?? 1); i++) {
    layers.push(await pushLayer(registry, repositoryName, randomBytes(100 + i * 37)));
  }
  const manifest = imageManifestOf(config, layers, {
    format: options.format ?? "oci",
    style: options.style ?? CONVENTIONAL_STYLE,
  });
  return { config, layers, manifest };
};

const tag = (value: string): ImageTag => branded(ImageTag, value);

// ---------------------------------------------------------------------------------------------------
// The suite

export function describeRegistryScenarios(
  name: string,
  makeStores: MakeRegistryStores,
  options: RegistryScenarioOptions = {},
): void {
  describe(`registry scenarios: ${name}`, () => {
    let stores: RegistryStores | undefined;
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      const current = stores;
      stores = undefined;
      await current?.teardown?.();
    });
    /** A new engine on the test's stores: call it twice for two processes sharing one database. */
    const engine = (): Registry => {
      if (stores === undefined) throw new Error("The stores are only available inside a test");
      return createRegistry({ ...options.registry, events: stores.events, blobs: stores.blobs });
    };

    it("creates, describes and deletes repositories", async () => {
      const registry = engine();
      const mutable = uniqueRepositoryName("mutable");
      const immutable = uniqueRepositoryName("immutable");
      const created = expectRight(await registry.createRepository({ repositoryName: mutable }));
      expect(created.repository).toMatchObject({ repositoryName: mutable, imageTagMutability: "MUTABLE" });
      expectRight(
        await registry.createRepository({ repositoryName: immutable, imageTagMutability: "IMMUTABLE" }),
      );
      expectRefusal(
        await registry.createRepository({ repositoryName: mutable }),
        "RepositoryAlreadyExistsException",
      );

      const described = expectRight(
        await registry.describeRepositories({ repositoryNames: [immutable, mutable] }),
      );
      expect(described.repositories.map((r) => [r.repositoryName, r.imageTagMutability])).toEqual([
        [immutable, "IMMUTABLE"],
        [mutable, "MUTABLE"],
      ]);
      const all = expectRight(await registry.describeRepositories({ maxResults: 1000 }));
      expect(all.repositories.map((r) => r.repositoryName)).toEqual(
        expect.arrayContaining([mutable, immutable]),
      );

      // A repository holding an image is only deleted with force.
      const { manifest } = await pushImageBlobs(registry, immutable);
      expectRight(
        await registry.putImage({
          repositoryName: immutable,
          imageManifest: manifest.manifest,
          imageTag: tag("v1"),
        }),
      );
      expectRefusal(
        await registry.deleteRepository({ repositoryName: immutable }),
        "RepositoryNotEmptyException",
      );
      const deleted = expectRight(
        await registry.deleteRepository({ repositoryName: immutable, force: true }),
      );
      expect(deleted.repository).toMatchObject({
        repositoryName: immutable,
        imageTagMutability: "IMMUTABLE",
      });
      expectRight(await registry.deleteRepository({ repositoryName: mutable }));

      expectRefusal(
        await registry.describeRepositories({ repositoryNames: [mutable] }),
        "RepositoryNotFoundException",
      );
      expectRefusal(await registry.listImages({ repositoryName: immutable }), "RepositoryNotFoundException");
      expectRefusal(
        await registry.deleteRepository({ repositoryName: mutable }),
        "RepositoryNotFoundException",
      );
      // The name is free again, and the new repository starts empty.
      expectRight(await registry.createRepository({ repositoryName: immutable }));
      expect(expectRight(await registry.listImages({ repositoryName: immutable })).imageIds).toEqual([]);
    });

    it("uploads a layer in several parts and pushes an image that references it", async () => {
      const registry = engine();
      const repositoryName = uniqueRepositoryName("multipart");
      expectRight(await registry.createRepository({ repositoryName }));
      const bytes = randomBytes(LAYER_PART_MIN_BYTES * 2 + 4099);
      const firstPart = LAYER_PART_MIN_BYTES;

      const { uploadId } = expectRight(await registry.initiateLayerUpload({ repositoryName }));
      expectRight(
        await registry.uploadLayerPart({
          repositoryName,
          uploadId,
          partFirstByte: 0,
          partLastByte: firstPart - 1,
          layerPartBlob: bytes.subarray(0, firstPart),
        }),
      );
      // A part that does not start where the upload ends is refused, and changes nothing.
      const outOfOrder = expectRefusal(
        await registry.uploadLayerPart({
          repositoryName,
          uploadId,
          partFirstByte: firstPart + 10,
          partLastByte: firstPart + 19,
          layerPartBlob: bytes.subarray(firstPart + 10, firstPart + 20),
        }),
        "InvalidLayerPartException",
      );
      expect(outOfOrder).toMatchObject({ lastValidByteReceived: firstPart - 1 });
      // A part holding fewer bytes than its range declares is refused too.
      expectRefusal(
        await registry.uploadLayerPart({
          repositoryName,
          uploadId,
          partFirstByte: firstPart,
          partLastByte: firstPart + 99,
          layerPartBlob: bytes.subarray(firstPart, firstPart + 50),
        }),
        "InvalidLayerPartException",
      );
      for (const [first, last] of [
        [firstPart, 2 * firstPart - 1],
        [2 * firstPart, bytes.length - 1],
      ] as const) {
        const part = expectRight(
          await registry.uploadLayerPart({
            repositoryName,
            uploadId,
            partFirstByte: first,
            partLastByte: last,
            // Streamed in pieces, as an HTTP body arrives.
            layerPartBlob: (async function* () {
              for (let at = first; at <= last; at += 1 << 20)
                yield bytes.subarray(at, Math.min(at + (1 << 20), last + 1));
            })(),
          }),
        );
        expect(part.lastByteReceived).toBe(last);
      }
      const layer = layerBlobOf(bytes);
      expectRight(
        await registry.completeLayerUpload({ repositoryName, uploadId, layerDigests: [layer.digest] }),
      );
      expectRefusal(
        await registry.completeLayerUpload({ repositoryName, uploadId, layerDigests: [layer.digest] }),
        "UploadNotFoundException",
      );
      const availability = expectRight(
        await registry.batchCheckLayerAvailability({ repositoryName, layerDigests: [layer.digest] }),
      );
      expect(availability.layers).toEqual([
        { layerDigest: layer.digest, layerAvailability: "AVAILABLE", layerSize: bytes.length },
      ]);
      // Not downloadable until an image references it (as in ECR).
      expectRefusal(
        await registry.getDownloadableLayer({ repositoryName, layerDigest: layer.digest }),
        "LayerInaccessibleException",
      );

      const config = await pushLayer(
        registry,
        repositoryName,
        Buffer.from('{"architecture":"amd64","os":"linux"}'),
      );
      const manifest = imageManifestOf(config, [layer]);
      const put = expectRight(
        await registry.putImage({ repositoryName, imageManifest: manifest.manifest, imageTag: tag("v1") }),
      );
      expect(put.image.imageId).toEqual({ imageDigest: manifest.digest, imageTag: "v1" });
      expect(put.image.imageManifest).toBe(manifest.manifest);

      const details = expectRight(await registry.describeImages({ repositoryName }));
      expect(details.imageDetails).toEqual([
        expect.objectContaining({
          imageDigest: manifest.digest,
          imageTags: ["v1"],
          imageSizeInBytes: bytes.length,
          imageManifestMediaType: manifest.mediaType,
        }),
      ]);
      const downloadable = expectRight(
        await registry.getDownloadableLayer({ repositoryName, layerDigest: layer.digest }),
      );
      expect(downloadable).toMatchObject({ digest: layer.digest, size: bytes.length });
      const pulled = await readAllBytes(await registry.readBlob(layer.digest));
      expect(pulled.length).toBe(bytes.length);
      expect(sha256Of(pulled)).toBe(layer.digest);
    });

    it("answers BatchGetImage with every manifest byte-exact, by tag and by digest", async () => {
      const registry = engine();
      const repositoryName = uniqueRepositoryName("byte-exact");
      expectRight(await registry.createRepository({ repositoryName }));
      const styles: ManifestStyle[] = [
        CONVENTIONAL_STYLE,
        {
          ...CONVENTIONAL_STYLE,
          space: "\t",
          keyOrderSeed: 7,
          leadingWhitespace: "\r\n\t ",
          trailingWhitespace: "  \n",
        },
        {
          ...CONVENTIONAL_STYLE,
          space: 0,
          keyOrderSeed: 12345,
          annotations: {
            "com.example.ünïcode": '日本 🐳 "quoted" \u2028 é',
            "org.opencontainers.image.title": "ß\t",
          },
        },
        { ...CONVENTIONAL_STYLE, space: 1, escapeNonAscii: true, annotations: { a: "🐳 é" } },
      ];
      const config = await pushLayer(registry, repositoryName, Buffer.from('{"os":"linux"}'));
      const layer = await pushLayer(registry, repositoryName, randomBytes(333));
      const manifests = styles.map((style, i) =>
        imageManifestOf(config, [layer], { style, format: i % 2 === 0 ? "oci" : "docker" }),
      );
      expect(new Set(manifests.map((m) => m.digest)).size).toBe(manifests.length);
      for (const [i, manifest] of manifests.entries()) {
        const put = expectRight(
          await registry.putImage({
            repositoryName,
            imageManifest: manifest.manifest,
            imageTag: tag(`style-${i}`),
          }),
        );
        expect(put.image.imageId.imageDigest).toBe(manifest.digest);
      }

      const byTag = expectRight(
        await registry.batchGetImage({
          repositoryName,
          imageIds: manifests.map((_, i) => ({ imageTag: `style-${i}` })),
        }),
      );
      const byDigest = expectRight(
        await registry.batchGetImage({
          repositoryName,
          imageIds: manifests.map((m) => ({ imageDigest: m.digest })),
        }),
      );
      expect(byTag.failures).toEqual([]);
      expect(byDigest.failures).toEqual([]);
      for (const [i, manifest] of manifests.entries()) {
        for (const image of [byTag.images[i], byDigest.images[i]]) {
          expect(image?.imageId.imageDigest).toBe(manifest.digest);
          expect(image?.imageManifest).toBe(manifest.manifest); // the exact string, whitespace and key order included
          expect(image?.imageManifestMediaType).toBe(manifest.mediaType);
          expect(sha256Of(Buffer.from(image?.imageManifest ?? "", "utf8"))).toBe(manifest.digest);
        }
      }
      const missing = expectRight(
        await registry.batchGetImage({
          repositoryName,
          imageIds: [
            { imageTag: "nope" },
            { imageDigest: sha256Of(Buffer.from("nothing")) },
            { imageTag: "style-0" },
          ],
        }),
      );
      expect(missing.images.map((image) => image.imageId)).toEqual([
        { imageDigest: manifests[0]!.digest, imageTag: "style-0" },
      ]);
      expect(missing.failures.map((failure) => failure.failureCode)).toEqual([
        "ImageNotFound",
        "ImageNotFound",
      ]);
      expectRefusal(
        await registry.batchGetImage({
          repositoryName: uniqueRepositoryName("absent"),
          imageIds: [{ imageTag: "v1" }],
        }),
        "RepositoryNotFoundException",
      );
    });

    it("moves a tag from image to image in a MUTABLE repository", async () => {
      const registry = engine();
      const repositoryName = uniqueRepositoryName("mutable-tags");
      expectRight(await registry.createRepository({ repositoryName, imageTagMutability: "MUTABLE" }));
      const first = (await pushImageBlobs(registry, repositoryName)).manifest;
      const second = (await pushImageBlobs(registry, repositoryName)).manifest;
      const latest = tag("latest");

      expectRight(
        await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: latest }),
      );
      expectRight(
        await registry.putImage({ repositoryName, imageManifest: second.manifest, imageTag: latest }),
      );
      const got = expectRight(
        await registry.batchGetImage({ repositoryName, imageIds: [{ imageTag: "latest" }] }),
      );
      expect(got.images.map((image) => image.imageManifest)).toEqual([second.manifest]);
      // The first image stays, untagged.
      expect(expectRight(await registry.listImages({ repositoryName })).imageIds).toEqual([
        { imageDigest: first.digest },
        { imageDigest: second.digest, imageTag: "latest" },
      ]);
      expect(
        expectRight(await registry.listImages({ repositoryName, filter: { tagStatus: "UNTAGGED" } }))
          .imageIds,
      ).toEqual([{ imageDigest: first.digest }]);

      // The same manifest again with another tag only adds the tag; with its own tag, it is refused.
      expectRight(
        await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: tag("v1") }),
      );
      expectRight(
        await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: latest }),
      );
      expectRefusal(
        await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: latest }),
        "ImageAlreadyExistsException",
      );
      const described = expectRight(await registry.describeImages({ repositoryName }));
      expect(described.imageDetails.map((d) => [d.imageDigest, [...(d.imageTags ?? [])].sort()])).toEqual([
        [first.digest, ["latest", "v1"]],
        [second.digest, []],
      ]);
    });

    for (const mutability of [
      "IMMUTABLE",
      "IMMUTABLE_WITH_EXCLUSION",
    ] as const satisfies ReadonlyArray<ImageTagMutability>) {
      it(`refuses to move a tag in an ${mutability} repository`, async () => {
        const registry = engine();
        const repositoryName = uniqueRepositoryName("immutable-tags");
        expectRight(
          await registry.createRepository({
            repositoryName,
            imageTagMutability: mutability,
            ...(mutability === "IMMUTABLE_WITH_EXCLUSION"
              ? { imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }] }
              : {}),
          }),
        );
        const first = (await pushImageBlobs(registry, repositoryName)).manifest;
        const second = (await pushImageBlobs(registry, repositoryName)).manifest;
        const release = tag("release");

        expectRight(
          await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: release }),
        );
        expectRefusal(
          await registry.putImage({ repositoryName, imageManifest: second.manifest, imageTag: release }),
          "ImageTagAlreadyExistsException",
        );
        // Refused without a trace: the second image was not stored either.
        expect(expectRight(await registry.listImages({ repositoryName })).imageIds).toEqual([
          { imageDigest: first.digest, imageTag: "release" },
        ]);
        // A new tag on the second image is fine, and so is another tag on the first.
        expectRight(
          await registry.putImage({ repositoryName, imageManifest: second.manifest, imageTag: tag("other") }),
        );
        expectRight(
          await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: tag("also") }),
        );
        expectRefusal(
          await registry.putImage({ repositoryName, imageManifest: second.manifest, imageTag: tag("also") }),
          "ImageTagAlreadyExistsException",
        );
        expectRefusal(
          await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: release }),
          "ImageAlreadyExistsException",
        );
        if (mutability === "IMMUTABLE_WITH_EXCLUSION") {
          // Tags matching an exclusion filter still move.
          expectRight(
            await registry.putImage({
              repositoryName,
              imageManifest: first.manifest,
              imageTag: tag("dev-1"),
            }),
          );
          expectRight(
            await registry.putImage({
              repositoryName,
              imageManifest: second.manifest,
              imageTag: tag("dev-1"),
            }),
          );
        }
        const got = expectRight(
          await registry.batchGetImage({
            repositoryName,
            imageIds: [{ imageTag: "release" }, { imageTag: "also" }],
          }),
        );
        expect(got.images.map((image) => image.imageId.imageDigest)).toEqual([first.digest, first.digest]);
      });
    }

    it("deletes images by tag and by digest with BatchDeleteImage, with a failure per bad id", async () => {
      const registry = engine();
      const repositoryName = uniqueRepositoryName("delete");
      expectRight(await registry.createRepository({ repositoryName }));
      const a = (await pushImageBlobs(registry, repositoryName)).manifest;
      const b = (await pushImageBlobs(registry, repositoryName, { format: "docker" })).manifest;
      for (const [manifest, imageTag] of [
        [a, "a1"],
        [a, "a2"],
        [b, "b1"],
      ] as const) {
        expectRight(
          await registry.putImage({
            repositoryName,
            imageManifest: manifest.manifest,
            imageTag: tag(imageTag),
          }),
        );
      }

      // By tag: the tag goes, the image stays while it has another.
      const byTag = expectRight(
        await registry.batchDeleteImage({ repositoryName, imageIds: [{ imageTag: "a1" }] }),
      );
      expect(byTag).toEqual({ imageIds: [{ imageDigest: a.digest, imageTag: "a1" }], failures: [] });
      expect(expectRight(await registry.listImages({ repositoryName })).imageIds).toEqual([
        { imageDigest: a.digest, imageTag: "a2" },
        { imageDigest: b.digest, imageTag: "b1" },
      ]);

      const mixed = expectRight(
        await registry.batchDeleteImage({
          repositoryName,
          imageIds: [
            { imageDigest: b.digest },
            { imageTag: "gone" },
            { imageTag: "a2", imageDigest: b.digest },
            { imageDigest: "sha256:abc" },
          ],
        }),
      );
      expect(mixed.imageIds).toEqual([{ imageDigest: b.digest, imageTag: "b1" }]);
      expect(mixed.failures.map((failure) => [failure.imageId, failure.failureCode])).toEqual([
        [{ imageTag: "gone" }, "ImageNotFound"],
        [{ imageTag: "a2", imageDigest: b.digest }, "ImageTagDoesNotMatchDigest"],
        [{ imageDigest: "sha256:abc" }, "InvalidImageDigest"],
      ]);
      const gone = expectRight(
        await registry.batchGetImage({ repositoryName, imageIds: [{ imageDigest: b.digest }] }),
      );
      expect(gone.failures.map((failure) => failure.failureCode)).toEqual(["ImageNotFound"]);

      // The last tag of an image takes the image with it.
      expectRight(await registry.batchDeleteImage({ repositoryName, imageIds: [{ imageTag: "a2" }] }));
      expect(expectRight(await registry.listImages({ repositoryName })).imageIds).toEqual([]);
      // A deleted image can be pushed again (its layers are still in the repository).
      expectRight(
        await registry.putImage({ repositoryName, imageManifest: b.manifest, imageTag: tag("b1") }),
      );
      expect(expectRight(await registry.describeImages({ repositoryName })).imageDetails).toHaveLength(1);
    });

    it("serves a layer through readBlob, whole and by inclusive byte range", async () => {
      const registry = engine();
      const repositoryName = uniqueRepositoryName("download");
      expectRight(await registry.createRepository({ repositoryName }));
      const bytes = randomBytes(200_001);
      const layer = await pushLayer(registry, repositoryName, bytes, {
        partSizes: [70_000, 70_000],
        rules: "oci",
      });
      const config = await pushLayer(registry, repositoryName, Buffer.from("{}"));
      expectRight(
        await registry.putImage({
          repositoryName,
          imageManifest: imageManifestOf(config, [layer]).manifest,
          imageTag: tag("v1"),
        }),
      );
      const downloadable = expectRight(
        await registry.getDownloadableLayer({ repositoryName, layerDigest: layer.digest }),
      );
      expect(downloadable.size).toBe(bytes.length);

      expect((await readAllBytes(await registry.readBlob(layer.digest))).equals(bytes)).toBe(true);
      for (const [start, end] of [
        [0, 0],
        [0, 69_999],
        [69_999, 70_000],
        [123_456, 199_999],
        [bytes.length - 1, bytes.length - 1],
        [0, bytes.length - 1],
      ] as const) {
        const slice = await readAllBytes(await registry.readBlob(layer.digest, { start, end }));
        expect(slice.equals(bytes.subarray(start, end + 1)), `bytes ${start}-${end}`).toBe(true);
      }
      await expect(registry.readBlob(layer.digest, { start: 10, end: bytes.length })).rejects.toThrow(
        RangeError,
      );
      await expect(registry.readBlob(sha256Of(randomBytes(8)) as Digest)).rejects.toThrow();
    });

    it("discards an upload whose bytes do not match the declared digest", async () => {
      const registry = engine();
      const repositoryName = uniqueRepositoryName("bad-digest");
      expectRight(await registry.createRepository({ repositoryName }));
      const bytes = randomBytes(4096);
      const actual = sha256Of(bytes) as Digest;
      const declared = sha256Of(randomBytes(4096));
      const { uploadId } = expectRight(await registry.initiateLayerUpload({ repositoryName }));
      expectRight(
        await registry.uploadLayerPart({
          repositoryName,
          uploadId,
          partFirstByte: 0,
          partLastByte: 4095,
          layerPartBlob: bytes,
        }),
      );
      expectRefusal(
        await registry.completeLayerUpload({ repositoryName, uploadId, layerDigests: [declared] }),
        "InvalidLayerException",
      );

      // The session is gone: no more parts, no second try with the right digest.
      expectRefusal(
        await registry.completeLayerUpload({ repositoryName, uploadId, layerDigests: [actual] }),
        "UploadNotFoundException",
      );
      expectRefusal(
        await registry.uploadLayerPart({
          repositoryName,
          uploadId,
          partFirstByte: 4096,
          partLastByte: 4096,
          layerPartBlob: new Uint8Array([1]),
        }),
        "UploadNotFoundException",
      );
      expectRefusal(
        await registry.layerUploadProgress({ repositoryName, uploadId }),
        "UploadNotFoundException",
      );
      // Neither digest became a layer, and the bytes never became a blob.
      const availability = expectRight(
        await registry.batchCheckLayerAvailability({ repositoryName, layerDigests: [actual, declared] }),
      );
      expect(availability.layers).toEqual([]);
      expect(availability.failures.map((failure) => failure.failureCode)).toEqual([
        "MissingLayerDigest",
        "MissingLayerDigest",
      ]);
      expect(await stores?.blobs.stat(actual)).toBeUndefined();
      // The upload's bytes were dropped from the blob store, not just forgotten by the log.
      await expect(stores?.blobs.uploadStatus(uploadId)).rejects.toThrow(UploadUnknownError);
      await expect(registry.readBlob(actual)).rejects.toThrow();
      expect(registry.state.uploads.has(uploadId)).toBe(false);

      // An image over the refused layer cannot be pushed.
      const config = await pushLayer(registry, repositoryName, Buffer.from("{}"));
      expectRefusal(
        await registry.putImage({
          repositoryName,
          imageManifest: imageManifestOf(config, [{ digest: actual, size: bytes.length }]).manifest,
        }),
        "LayersNotFoundException",
      );
      // The same bytes uploaded again, declared right, become the layer.
      await pushLayer(registry, repositoryName, bytes);
    });

    it("two engines on the same stores: a write through one is seen by the next read through the other", async () => {
      const one = engine();
      const two = engine();
      const repositoryName = uniqueRepositoryName("two-engines");

      expectRight(await one.createRepository({ repositoryName }));
      expect(
        expectRight(await two.describeRepositories({ repositoryNames: [repositoryName] })).repositories,
      ).toHaveLength(1);
      expectRefusal(await two.createRepository({ repositoryName }), "RepositoryAlreadyExistsException");

      // An upload begun on one engine continues and completes on the other (a load balancer at work).
      const bytes = randomBytes(3000);
      const { uploadId } = expectRight(await one.initiateLayerUpload({ repositoryName }));
      expectRight(
        await two.uploadLayerPart({
          repositoryName,
          uploadId,
          partFirstByte: 0,
          partLastByte: 999,
          layerPartBlob: bytes.subarray(0, 1000),
        }),
      );
      expect(expectRight(await one.layerUploadProgress({ repositoryName, uploadId }))).toEqual({
        size: 1000,
      });
      expectRight(
        await one.uploadLayerPart({
          repositoryName,
          uploadId,
          partFirstByte: 1000,
          partLastByte: 2999,
          layerPartBlob: bytes.subarray(1000),
        }),
      );
      const layer = layerBlobOf(bytes);
      expectRight(
        await two.completeLayerUpload({
          repositoryName,
          uploadId,
          layerDigests: [layer.digest],
          rules: "oci",
        }),
      );
      expect(
        expectRight(await one.batchCheckLayerAvailability({ repositoryName, layerDigests: [layer.digest] }))
          .layers,
      ).toHaveLength(1);

      // Pushes through one engine, pulls through the other, then the other way round.
      const config = await pushLayer(two, repositoryName, Buffer.from('{"engine":2}'));
      const first = imageManifestOf(config, [layer]);
      const second = imageManifestOf(config, [layer], { format: "docker" });
      expectRight(
        await one.putImage({ repositoryName, imageManifest: first.manifest, imageTag: tag("latest") }),
      );
      expect(
        expectRight(
          await two.batchGetImage({ repositoryName, imageIds: [{ imageTag: "latest" }] }),
        ).images.map((i) => i.imageManifest),
      ).toEqual([first.manifest]);
      expectRight(
        await two.putImage({ repositoryName, imageManifest: second.manifest, imageTag: tag("latest") }),
      );
      expect(
        expectRight(
          await one.batchGetImage({ repositoryName, imageIds: [{ imageTag: "latest" }] }),
        ).images.map((i) => i.imageManifest),
      ).toEqual([second.manifest]);
      expect(expectRight(await one.listImages({ repositoryName })).imageIds).toEqual([
        { imageDigest: first.digest },
        { imageDigest: second.digest, imageTag: "latest" },
      ]);

      // Each engine decides on what the other wrote: no stale answers, no conflicts surfacing.
      expectRefusal(
        await one.putImage({ repositoryName, imageManifest: second.manifest, imageTag: tag("latest") }),
        "ImageAlreadyExistsException",
      );
      expectRight(await one.batchDeleteImage({ repositoryName, imageIds: [{ imageDigest: first.digest }] }));
      expect(expectRight(await two.listImages({ repositoryName })).imageIds).toEqual([
        { imageDigest: second.digest, imageTag: "latest" },
      ]);
      expectRight(await two.putImageTagMutability({ repositoryName, imageTagMutability: "IMMUTABLE" }));
      expectRefusal(
        await one.putImage({ repositoryName, imageManifest: first.manifest, imageTag: tag("latest") }),
        "ImageTagAlreadyExistsException",
      );
      const layerBytes = await readAllBytes(await two.readBlob(layer.digest, { start: 500, end: 1499 }));
      expect(layerBytes.equals(bytes.subarray(500, 1500))).toBe(true);

      expectRight(await two.deleteRepository({ repositoryName, force: true }));
      expectRefusal(await one.listImages({ repositoryName }), "RepositoryNotFoundException");
    });

    it("two engines racing: every push is decided on fresh state, and an IMMUTABLE tag goes to exactly one", async () => {
      const engines = [engine(), engine()];
      const repositoryName = uniqueRepositoryName("race");
      const creations = await Promise.all(
        engines.map((registry) =>
          registry.createRepository({ repositoryName, imageTagMutability: "IMMUTABLE" }),
        ),
      );
      expect(creations.filter((outcome) => outcome._tag === "Right")).toHaveLength(1);
      const config = await pushLayer(engines[0]!, repositoryName, Buffer.from("{}"));
      const layer = await pushLayer(engines[1]!, repositoryName, randomBytes(256));
      const manifests = Array.from({ length: 6 }, (_, i) =>
        imageManifestOf(config, [layer], { style: { ...CONVENTIONAL_STYLE, annotations: { n: String(i) } } }),
      );

      const outcomes = await Promise.all(
        manifests.map((manifest, i) =>
          engines[i % 2]!.putImage({
            repositoryName,
            imageManifest: manifest.manifest,
            imageTag: tag("release"),
          }),
        ),
      );
      const winners = outcomes.flatMap((outcome, i) => (outcome._tag === "Right" ? [manifests[i]!] : []));
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes)
        if (outcome._tag === "Left") expect(outcome.left._tag).toBe("ImageTagAlreadyExistsException");
      for (const registry of engines) {
        expect(expectRight(await registry.listImages({ repositoryName })).imageIds).toEqual([
          { imageDigest: winners[0]!.digest, imageTag: "release" },
        ]);
      }

      // Untagged pushes of distinct manifests all succeed, from both engines at once.
      const untagged = await Promise.all(
        manifests.map((manifest, i) =>
          engines[(i + 1) % 2]!.putImage({ repositoryName, imageManifest: manifest.manifest }),
        ),
      );
      expect(untagged.filter((outcome) => outcome._tag === "Right")).toHaveLength(manifests.length - 1);
      for (const registry of engines) {
        expect(expectRight(await registry.describeImages({ repositoryName })).imageDetails).toHaveLength(
          manifests.length,
        );
      }
    });
  });
}
