/** Registry scenarios about images: manifests served byte-exact, and BatchDeleteImage. */
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { CONVENTIONAL_STYLE, imageManifestOf, type ManifestStyle } from "./manifest-arbitraries.js";
import { expectRefusal, expectRight } from "./registry-outcomes.js";
import { pushImageBlobs, pushLayer, uniqueRepositoryName } from "./registry-pushes.js";
import { type ScenarioContext, tag } from "./scenario-context.js";
import { sha256Digest } from "./sha256-digest.js";

/** Manifests written in unusual styles come back exactly as sent, by tag and by digest. */
const byteExactManifests = ({ engine }: ScenarioContext): void => {
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
        expect(sha256Digest(Buffer.from(image?.imageManifest ?? "", "utf8"))).toBe(manifest.digest);
      }
    }
    const missing = expectRight(
      await registry.batchGetImage({
        repositoryName,
        imageIds: [
          { imageTag: "nope" },
          { imageDigest: sha256Digest(Buffer.from("nothing")) },
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
};

/** BatchDeleteImage by tag and by digest, with one failure per bad id. */
const imageDeletion = ({ engine }: ScenarioContext): void => {
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
    expectRight(await registry.putImage({ repositoryName, imageManifest: b.manifest, imageTag: tag("b1") }));
    expect(expectRight(await registry.describeImages({ repositoryName })).imageDetails).toHaveLength(1);
  });
};

/** Images pushed, fetched and deleted. */
export const describeImageScenarios = (scenario: ScenarioContext): void => {
  byteExactManifests(scenario);
  imageDeletion(scenario);
};
