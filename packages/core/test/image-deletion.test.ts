/**
 * BatchDeleteImage: the events `decide` records, and the per-id answer `planImageDeletion` gives
 * (what was deleted, and a failure code for every id that could not be).
 */
import {
  type BerthCommand,
  type DeleteImages,
  describeImages,
  findRepository,
  type ImageIdentifier,
  planImageDeletion,
  type RegistryState,
  RepositoryName,
} from "@berth/core";
import {
  branded,
  EXAMPLE_TIME,
  foldWith,
  imageManifestOf,
  indexManifestOf,
  layerBlobOf,
  registryDecider,
  registrySpecification as spec,
} from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, ref, registryId } from "./example-registry.js";

const config = layerBlobOf('{"os":"linux"}');
const layer = layerBlobOf("layer");
const amd64 = imageManifestOf(config, [layer]);
const arm64 = imageManifestOf(config, [layer], { format: "docker" });
const untagged = imageManifestOf(config, []);
const index = indexManifestOf([amd64, arm64]);

/** amd64 tagged v1 and latest, arm64 tagged arm, an untagged image, and an index tagged multi. */
const history: BerthCommand[] = [
  c.createRepository(app),
  ...c.uploadLayer(app, config),
  ...c.uploadLayer(app, layer),
  c.putImage(app, amd64, { tag: "v1" }),
  c.putImage(app, amd64, { tag: "latest" }),
  c.putImage(app, arm64, { tag: "arm" }),
  c.putImage(app, untagged),
];
const withIndex: BerthCommand[] = [...history, c.putImage(app, index, { tag: "multi" })];

const stateOf = (commands: BerthCommand[]): RegistryState => foldWith(registryDecider, given(commands));
const plan = (commands: BerthCommand[], imageIds: ReadonlyArray<ImageIdentifier>) => {
  const repository = findRepository(stateOf(commands), registryId, app);
  if (repository === undefined) throw new Error("no repository");
  const command: DeleteImages = c.deleteImages(app, imageIds);
  return planImageDeletion(repository, command);
};
const codes = (commands: BerthCommand[], imageIds: ReadonlyArray<ImageIdentifier>) =>
  plan(commands, imageIds).failures.map((failure) => failure.failureCode);

describe("BatchDeleteImage records", () => {
  it("by a tag the image has others of: ImageUntagged, and the image stays", () =>
    spec(given(history))
      .when(c.deleteImages(app, [{ imageTag: "v1" }]))
      .then((events, after) => {
        expect(events).toEqual([
          { type: "ImageUntagged", data: { ...ref, imageDigest: amd64.digest, imageTag: "v1" } },
        ]);
        expect(describeImages(after, { ...ref, imageIds: [{ imageDigest: amd64.digest }] })).toEqual(
          E.right({ imageDetails: [expect.objectContaining({ imageTags: ["latest"] })] }),
        );
      }));

  it("by the last tag: ImageDeleted, the image goes with it", () =>
    spec(given(history))
      .when(c.deleteImages(app, [{ imageTag: "arm" }]))
      .then((events, after) => {
        expect(events).toEqual([
          { type: "ImageDeleted", data: { ...ref, imageDigest: arm64.digest, deletedAt: EXAMPLE_TIME } },
        ]);
        expect(findRepository(after, registryId, app)?.images.has(arm64.digest)).toBe(false);
      }));

  it("by both tags of an image: the image goes with the second", () =>
    spec(given(history))
      .when(c.deleteImages(app, [{ imageTag: "v1" }, { imageTag: "latest" }]))
      .then([
        { type: "ImageUntagged", data: { ...ref, imageDigest: amd64.digest, imageTag: "v1" } },
        { type: "ImageDeleted", data: { ...ref, imageDigest: amd64.digest, deletedAt: EXAMPLE_TIME } },
      ]));

  it("by digest: ImageDeleted, all its tags with it", () =>
    spec(given(history))
      .when(c.deleteImages(app, [{ imageDigest: amd64.digest }]))
      .then((events, after) => {
        expect(events).toEqual([
          { type: "ImageDeleted", data: { ...ref, imageDigest: amd64.digest, deletedAt: EXAMPLE_TIME } },
        ]);
        const repository = findRepository(after, registryId, app);
        expect([...(repository?.tags.keys() ?? [])]).toEqual(["arm"]);
      }));

  it("nothing when every id fails", () =>
    spec(given(history))
      .when(c.deleteImages(app, [{ imageTag: "absent" }, { imageDigest: index.digest }, {}]))
      .thenNothingHappens());

  it("refuses an unknown repository: RepositoryNotFoundException", () =>
    spec(given(history))
      .when(c.deleteImages(branded(RepositoryName, "team/absent"), [{ imageTag: "v1" }]))
      .thenFails("RepositoryNotFoundException"));
});

describe("planImageDeletion answers", () => {
  it("what was deleted: one id per tag removed, the digest alone for an untagged image", () => {
    const planned = plan(history, [
      { imageDigest: amd64.digest },
      { imageDigest: untagged.digest },
      { imageTag: "arm" },
    ]);
    expect(planned.imageIds).toEqual([
      { imageDigest: amd64.digest, imageTag: "v1" },
      { imageDigest: amd64.digest, imageTag: "latest" },
      { imageDigest: untagged.digest },
      { imageDigest: arm64.digest, imageTag: "arm" },
    ]);
    expect(planned.failures).toEqual([]);
  });

  it("a tag and digest that name the same image: the tag is removed", () => {
    const planned = plan(history, [{ imageTag: "v1", imageDigest: amd64.digest }]);
    expect(planned.imageIds).toEqual([{ imageDigest: amd64.digest, imageTag: "v1" }]);
    expect(planned.events.map((e) => e.type)).toEqual(["ImageUntagged"]);
  });

  it("ImageNotFound for an unknown tag or digest", () =>
    expect(codes(history, [{ imageTag: "absent" }, { imageDigest: index.digest }])).toEqual([
      "ImageNotFound",
      "ImageNotFound",
    ]));

  it("ImageNotFound for an id deleted earlier in the same batch", () =>
    expect(
      codes(history, [
        { imageDigest: amd64.digest },
        { imageDigest: amd64.digest },
        { imageTag: "v1" },
        { imageTag: "arm" },
        { imageTag: "arm" },
      ]),
    ).toEqual(["ImageNotFound", "ImageNotFound", "ImageNotFound"]));

  it("InvalidImageDigest for a digest that is not sha256:<64 hex>", () =>
    expect(
      codes(history, [
        { imageDigest: "sha256:abc" },
        { imageDigest: amd64.digest.toUpperCase() },
        { imageDigest: "md5:00" },
      ]),
    ).toEqual(["InvalidImageDigest", "InvalidImageDigest", "InvalidImageDigest"]));

  it("InvalidImageTag for an empty tag or one over 300 characters", () =>
    expect(codes(history, [{ imageTag: "" }, { imageTag: "t".repeat(301) }])).toEqual([
      "InvalidImageTag",
      "InvalidImageTag",
    ]));

  it("ImageTagDoesNotMatchDigest for a tag of another image", () =>
    expect(codes(history, [{ imageTag: "v1", imageDigest: arm64.digest }])).toEqual([
      "ImageTagDoesNotMatchDigest",
    ]));

  it("MissingDigestAndTag for an id with neither", () =>
    expect(codes(history, [{}])).toEqual(["MissingDigestAndTag"]));

  it("ImageReferencedByManifestList for an image an index references, by digest", () =>
    expect(codes(withIndex, [{ imageDigest: arm64.digest }])).toEqual(["ImageReferencedByManifestList"]));

  it("ImageReferencedByManifestList for the last tag of an image an index references", () =>
    expect(codes(withIndex, [{ imageTag: "arm" }])).toEqual(["ImageReferencedByManifestList"]));

  it("no failure for a tag of a referenced image that has other tags: only the tag goes", () => {
    const planned = plan(withIndex, [{ imageTag: "v1" }]);
    expect(planned.failures).toEqual([]);
    expect(planned.events.map((e) => e.type)).toEqual(["ImageUntagged"]);
  });

  it("no failure for a referenced image once its index is deleted earlier in the batch", () => {
    const planned = plan(withIndex, [{ imageTag: "multi" }, { imageDigest: arm64.digest }]);
    expect(planned.failures).toEqual([]);
    expect(planned.events.map((e) => e.type)).toEqual(["ImageDeleted", "ImageDeleted"]);
  });

  it("ImageReferencedByManifestList when the index is deleted only later in the batch", () =>
    expect(codes(withIndex, [{ imageDigest: arm64.digest }, { imageDigest: index.digest }])).toEqual([
      "ImageReferencedByManifestList",
    ]));

  it("every failure with the id it is about and a reason", () => {
    const ids = [{ imageTag: "absent" }, { imageDigest: "sha256:abc" }];
    const failures = plan(history, ids).failures;
    expect(failures).toEqual([
      { imageId: ids[0], failureCode: "ImageNotFound", failureReason: expect.any(String) },
      { imageId: ids[1], failureCode: "InvalidImageDigest", failureReason: expect.any(String) },
    ]);
  });

  it("ImageNotFound for a tag removed earlier in the batch, even with the digest of its former image", () => {
    // amd64 holds v1 and latest. Once v1 is gone, {v1, amd64} names nothing: amd64 (still tagged
    // latest) must stay.
    const planned = plan(history, [{ imageTag: "v1" }, { imageTag: "v1", imageDigest: amd64.digest }]);
    expect(planned.failures.map((f) => f.failureCode)).toEqual(["ImageNotFound"]);
    expect(planned.events).toEqual([
      { type: "ImageUntagged", data: { ...ref, imageDigest: amd64.digest, imageTag: "v1" } },
    ]);
    expect(planned.imageIds).toEqual([{ imageDigest: amd64.digest, imageTag: "v1" }]);
  });
});
