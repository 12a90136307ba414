/** Registry scenarios with two engines on the same stores: two processes sharing one database. */
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { layerBlobOf } from "./layer-blobs.js";
import { CONVENTIONAL_STYLE, imageManifestOf } from "./manifest-arbitraries.js";
import { readAllBytes } from "./read-all-bytes.js";
import { expectRefusal, expectRight } from "./registry-outcomes.js";
import { pushLayer, uniqueRepositoryName } from "./registry-pushes.js";
import { type ScenarioContext, tag } from "./scenario-context.js";

/** Each engine sees the other's writes on its next read, uploads included. */
const writesSeenAcrossEngines = ({ engine }: ScenarioContext): void => {
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
      expectRight(await two.batchGetImage({ repositoryName, imageIds: [{ imageTag: "latest" }] })).images.map(
        (i) => i.imageManifest,
      ),
    ).toEqual([first.manifest]);
    expectRight(
      await two.putImage({ repositoryName, imageManifest: second.manifest, imageTag: tag("latest") }),
    );
    expect(
      expectRight(await one.batchGetImage({ repositoryName, imageIds: [{ imageTag: "latest" }] })).images.map(
        (i) => i.imageManifest,
      ),
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
    const layerBytes = await readAllBytes(
      expectRight(
        await two.readBlob({ repositoryName, digest: layer.digest, range: { start: 500, end: 1499 } }),
      ),
    );
    expect(layerBytes.equals(bytes.subarray(500, 1500))).toBe(true);

    expectRight(await two.deleteRepository({ repositoryName, force: true }));
    expectRefusal(await one.listImages({ repositoryName }), "RepositoryNotFoundException");
  });
};

/** Concurrent pushes through two engines: each decided on fresh state. */
const racingEngines = ({ engine }: ScenarioContext): void => {
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
};

/** Two engines sharing stores. */
export const describeSharedStoreScenarios = (scenario: ScenarioContext): void => {
  writesSeenAcrossEngines(scenario);
  racingEngines(scenario);
};
