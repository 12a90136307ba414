/** Registry scenarios about layers: multipart uploads, ranged reads, and uploads refused on digest. */
import { randomBytes } from "node:crypto";
import { LAYER_PART_MIN_BYTES } from "@berth/core";
import { UploadUnknownError } from "@berth/engine";
import { expect, it } from "vitest";
import { layerBlobOf } from "./layer-blobs.js";
import { imageManifestOf } from "./manifest-arbitraries.js";
import { readAllBytes } from "./read-all-bytes.js";
import { expectRefusal, expectRight } from "./registry-outcomes.js";
import { pushLayer, uniqueRepositoryName } from "./registry-pushes.js";
import { type ScenarioContext, tag } from "./scenario-context.js";
import { sha256Digest } from "./sha256-digest.js";

/** A layer in parts, streamed, with out-of-order and short parts refused on the way. */
const multipartUpload = ({ engine }: ScenarioContext): void => {
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
    const pulled = await readAllBytes(
      expectRight(await registry.readBlob({ repositoryName, digest: layer.digest })),
    );
    expect(pulled.length).toBe(bytes.length);
    expect(sha256Digest(pulled)).toBe(layer.digest);
  });
};

/** A pushed layer read back whole and by inclusive byte ranges. */
const rangedLayerReads = ({ engine }: ScenarioContext): void => {
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

    expect(
      (
        await readAllBytes(expectRight(await registry.readBlob({ repositoryName, digest: layer.digest })))
      ).equals(bytes),
    ).toBe(true);
    for (const [start, end] of [
      [0, 0],
      [0, 69_999],
      [69_999, 70_000],
      [123_456, 199_999],
      [bytes.length - 1, bytes.length - 1],
      [0, bytes.length - 1],
    ] as const) {
      const slice = await readAllBytes(
        expectRight(await registry.readBlob({ repositoryName, digest: layer.digest, range: { start, end } })),
      );
      expect(slice.equals(bytes.subarray(start, end + 1)), `bytes ${start}-${end}`).toBe(true);
    }
    await expect(
      registry.readBlob({ repositoryName, digest: layer.digest, range: { start: 10, end: bytes.length } }),
    ).rejects.toThrow(RangeError);
    expectRefusal(
      await registry.readBlob({ repositoryName, digest: sha256Digest(randomBytes(8)) }),
      "LayersNotFoundException",
    );
  });
};

/** An upload that fails its digest leaves nothing behind, in the log or in the blob store. */
const refusedDigest = ({ engine, stores }: ScenarioContext): void => {
  it("discards an upload whose bytes do not match the declared digest", async () => {
    const registry = engine();
    const repositoryName = uniqueRepositoryName("bad-digest");
    expectRight(await registry.createRepository({ repositoryName }));
    const bytes = randomBytes(4096);
    const actual = sha256Digest(bytes);
    const declared = sha256Digest(randomBytes(4096));
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
    expect(await stores().blobs.stat(actual)).toBeUndefined();
    // The upload's bytes were dropped from the blob store, not just forgotten by the log.
    await expect(stores().blobs.uploadStatus(uploadId)).rejects.toThrow(UploadUnknownError);
    expectRefusal(await registry.readBlob({ repositoryName, digest: actual }), "LayersNotFoundException");
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
};

/** Layer uploads and downloads. */
export const describeLayerUploadScenarios = (scenario: ScenarioContext): void => {
  multipartUpload(scenario);
  rangedLayerReads(scenario);
  refusedDigest(scenario);
};
