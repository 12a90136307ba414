/** Registry scenarios about tags: moved in a MUTABLE repository, refused in IMMUTABLE ones. */
import type { ImageTagMutability } from "@berth/core";
import { expect, it } from "vitest";
import { expectRefusal, expectRight } from "./registry-outcomes.js";
import { pushImageBlobs, uniqueRepositoryName } from "./registry-pushes.js";
import { type ScenarioContext, tag } from "./scenario-context.js";

/** A MUTABLE repository: a tag moves, the image it left stays untagged. */
const mutableTags = ({ engine }: ScenarioContext): void => {
  it("moves a tag from image to image in a MUTABLE repository", async () => {
    const registry = engine();
    const repositoryName = uniqueRepositoryName("mutable-tags");
    expectRight(await registry.createRepository({ repositoryName, imageTagMutability: "MUTABLE" }));
    const first = (await pushImageBlobs(registry, repositoryName)).manifest;
    const second = (await pushImageBlobs(registry, repositoryName)).manifest;
    const latest = tag("latest");

    expectRight(await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: latest }));
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
      expectRight(await registry.listImages({ repositoryName, filter: { tagStatus: "UNTAGGED" } })).imageIds,
    ).toEqual([{ imageDigest: first.digest }]);

    // The same manifest again with another tag only adds the tag; with its own tag, it is refused.
    expectRight(
      await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: tag("v1") }),
    );
    expectRight(await registry.putImage({ repositoryName, imageManifest: first.manifest, imageTag: latest }));
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
};

/** IMMUTABLE repositories, with and without exclusions: a set tag never moves. */
const immutableTags = ({ engine }: ScenarioContext): void => {
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
};

/** Tag mutability. */
export const describeTagScenarios = (scenario: ScenarioContext): void => {
  mutableTags(scenario);
  immutableTags(scenario);
};
