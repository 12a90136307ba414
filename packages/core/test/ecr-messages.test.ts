/**
 * ECR's words, exactly: one example per message that suites written against ECR compare verbatim
 * (issue 11, item 6). The wording lives in RegistryErrors and the request codecs; these pin it.
 */
import { decodeRequest, parseRepositoryArn } from "@berth/core";
import { imageManifestOf, layerBlobOf, registrySpecification as spec } from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { checkImageId } from "../src/images/image-identifier.js";
import { app, c, given } from "./example-registry.js";

const layer = layerBlobOf("layer");
const config = layerBlobOf('{"architecture":"amd64"}');
const image = imageManifestOf(config, [layer]);
const imagePushed = [
  c.createRepository(app),
  ...c.uploadLayer(app, config),
  ...c.uploadLayer(app, layer),
  c.putImage(app, image),
];
const withImage = () => given(imagePushed);
const manyTags = (count: number) => Array.from({ length: count }, (_, i) => ({ Key: `k${i}`, Value: "v" }));

describe("ECR's messages", () => {
  it("RepositoryNotFoundException", () =>
    spec().when(c.deleteRepository(app)).thenFails("RepositoryNotFoundException", {
      message: "The repository with name 'team/app' does not exist in the registry with id '123456789012'",
    }));

  it("RepositoryAlreadyExistsException", () =>
    spec(given(c.createRepository(app)))
      .when(c.createRepository(app))
      .thenFails("RepositoryAlreadyExistsException", {
        message: "The repository with name 'team/app' already exists in the registry with id '123456789012'",
      }));

  it("RepositoryNotEmptyException", () =>
    spec(withImage()).when(c.deleteRepository(app)).thenFails("RepositoryNotEmptyException", {
      message:
        "The repository with name 'team/app' in registry with id '123456789012' cannot be deleted because it still contains images",
    }));

  it("ImageAlreadyExistsException, with the tag", () =>
    spec(given(imagePushed, c.putImage(app, image, { tag: "v1" })))
      .when(c.putImage(app, image, { tag: "v1" }))
      .thenFails("ImageAlreadyExistsException", {
        message: `Image with digest '${image.digest}' and tag 'v1' already exists in the repository with name 'team/app' in registry with id '123456789012'`,
      }));

  it("an invalid ARN", () =>
    expect(parseRepositoryArn("arn:aws:s3:::bucket")).toEqual(
      E.left({
        _tag: "InvalidParameterException",
        message: "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'",
      }),
    ));

  it("an imageTagMutability outside the enum", () =>
    expect(
      decodeRequest("CreateRepository", { repositoryName: "team/app", imageTagMutability: "SOMETIMES" }),
    ).toEqual(
      E.left({
        _tag: "InvalidParameterException",
        message:
          "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]'",
      }),
    ));

  it("PutImage without a media type in the manifest or the request", () =>
    spec(given(c.createRepository(app)))
      .when(c.putImage(app, JSON.stringify({ schemaVersion: 2, manifests: [] })))
      .thenFails("InvalidParameterException", {
        message: "image manifest mediatype not provided in manifest or parameter",
      }));

  it("BatchDeleteImage's InvalidImageDigest failure reason", () =>
    expect(checkImageId({ imageDigest: "not-a-digest" })).toEqual(
      E.left({
        imageId: { imageDigest: "not-a-digest" },
        failureCode: "InvalidImageDigest",
        failureReason:
          "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
      }),
    ));
});

describe("resource tag limits have exceptions of their own", () => {
  it("CreateRepository with 51 tags: TooManyTagsException (the request codec lets them through)", () => {
    const decoded = decodeRequest("CreateRepository", { repositoryName: "team/app", tags: manyTags(51) });
    expect(E.isRight(decoded)).toBe(true);
    spec()
      .when(c.createRepository(app, { tags: manyTags(51) }))
      .thenFails("TooManyTagsException");
  });

  it("CreateRepository with a 129-character key: InvalidTagParameterException", () =>
    spec()
      .when(c.createRepository(app, { tags: [{ Key: "k".repeat(129), Value: "v" }] }))
      .thenFails("InvalidTagParameterException", {
        message:
          "Tag keys can have a maximum character length of 128 characters, and tag values can have a maximum length of 256 characters.",
      }));

  it("TagResource with a 257-character value: InvalidTagParameterException", () =>
    spec(given(c.createRepository(app)))
      .when(c.tagResource(app, [{ Key: "k", Value: "v".repeat(257) }]))
      .thenFails("InvalidTagParameterException"));

  it("TagResource with an empty key: InvalidTagParameterException", () =>
    spec(given(c.createRepository(app)))
      .when(c.tagResource(app, [{ Key: "", Value: "v" }]))
      .thenFails("InvalidTagParameterException"));

  it("TagResource to 51 tags: TooManyTagsException; 128 and 256 characters are accepted", () => {
    spec(given(c.createRepository(app, { tags: manyTags(50) })))
      .when(c.tagResource(app, [{ Key: "one-more", Value: "v" }]))
      .thenFails("TooManyTagsException");
    spec(given(c.createRepository(app)))
      .when(c.tagResource(app, [{ Key: "k".repeat(128), Value: "v".repeat(256) }]))
      .then(() => undefined);
  });
});
