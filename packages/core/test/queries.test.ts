/**
 * The read side, by example: DescribeImages, ListImages, BatchGetImage, BatchCheckLayerAvailability,
 * the layer behind GetDownloadUrlForLayer, DescribeRepositories, DescribeRegistry and ARNs.
 */
import {
  type BerthCommand,
  batchCheckLayerAvailability,
  batchGetImage,
  describeImages,
  describeRegistry,
  describeRepositories,
  downloadableLayer,
  ecrRegistryHost,
  listImages,
  MediaTypes,
  parseRepositoryArn,
  type QueryContext,
  RegistryId,
  RepositoryName,
  repositoryArn,
  Timestamp,
} from "@berth/core";
import {
  branded,
  EXAMPLE_TIME,
  foldWith,
  historyFrom,
  imageManifestOf,
  indexManifestOf,
  LayerMediaTypes,
  layerBlobOf,
  registryDecider,
} from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, ref, registryId } from "./example-registry.js";

const stateAfter = (...steps: Array<BerthCommand | BerthCommand[]>) =>
  foldWith(registryDecider, historyFrom(registryDecider, steps.flat()));

const config = layerBlobOf('{"architecture":"arm64"}');
const base = layerBlobOf("base".repeat(100));
const top = layerBlobOf("top".repeat(7));
const unused = layerBlobOf("uploaded but referenced by no image");
const image = imageManifestOf(config, [base, top]);
const dockerImage = imageManifestOf(config, [top], { format: "docker" });
const index = indexManifestOf([image, dockerImage], { format: "docker" });
const later = branded(Timestamp, EXAMPLE_TIME + 1000);

const registry = stateAfter(
  c.createRepository(app),
  c.uploadLayer(app, config),
  c.uploadLayer(app, base),
  c.uploadLayer(app, top),
  c.uploadLayer(app, unused),
  c.putImage(app, image, { tag: "v1" }),
  c.putImage(app, image, { tag: "latest" }),
  c.putImage(app, dockerImage, { pushedAt: later }),
  c.putImage(app, index, { tag: "multi", pushedAt: later }),
);

const context: QueryContext = { region: "eu-west-1", registryHost: ecrRegistryHost("eu-west-1") };

describe("DescribeImages", () => {
  it("describes every image in push order, with ECR's fields", () =>
    expect(describeImages(registry, ref)).toEqual(
      E.right({
        imageDetails: [
          {
            registryId,
            repositoryName: app,
            imageDigest: image.digest,
            imageTags: ["v1", "latest"],
            imageSizeInBytes: base.size + top.size,
            imagePushedAt: EXAMPLE_TIME,
            imageManifestMediaType: MediaTypes.ociManifest,
            artifactMediaType: LayerMediaTypes.ociConfig,
            imageStatus: "ACTIVE",
          },
          {
            registryId,
            repositoryName: app,
            imageDigest: dockerImage.digest,
            imageSizeInBytes: top.size,
            imagePushedAt: later,
            imageManifestMediaType: MediaTypes.dockerManifest,
            artifactMediaType: LayerMediaTypes.dockerConfig,
            imageStatus: "ACTIVE",
          },
          {
            registryId,
            repositoryName: app,
            imageDigest: index.digest,
            imageTags: ["multi"],
            imageSizeInBytes: image.byteLength + dockerImage.byteLength,
            imagePushedAt: later,
            imageManifestMediaType: MediaTypes.dockerManifestList,
            imageStatus: "ACTIVE",
          },
        ],
      }),
    ));

  it("describes the images asked for, once each", () =>
    expect(
      describeImages(registry, {
        ...ref,
        imageIds: [
          { imageTag: "latest" },
          { imageDigest: image.digest },
          { imageDigest: dockerImage.digest },
        ],
      }),
    ).toEqual(
      E.right({
        imageDetails: [
          expect.objectContaining({ imageDigest: image.digest }),
          expect.objectContaining({ imageDigest: dockerImage.digest }),
        ],
      }),
    ));

  it("filters by tag status", () => {
    const digests = (tagStatus: "TAGGED" | "UNTAGGED" | "ANY") =>
      E.map((r: { imageDetails: ReadonlyArray<{ imageDigest: string }> }) =>
        r.imageDetails.map((d) => d.imageDigest),
      )(describeImages(registry, { ...ref, filter: { tagStatus } }));
    expect(digests("TAGGED")).toEqual(E.right([image.digest, index.digest]));
    expect(digests("UNTAGGED")).toEqual(E.right([dockerImage.digest]));
    expect(digests("ANY")).toEqual(E.right([image.digest, dockerImage.digest, index.digest]));
  });

  it("answers a missing id with ImageNotFoundException", () => {
    expect(
      describeImages(registry, { ...ref, imageIds: [{ imageTag: "v1" }, { imageTag: "absent" }] }),
    ).toEqual(
      E.left(
        expect.objectContaining({
          _tag: "ImageNotFoundException",
          message: expect.stringContaining("absent"),
        }),
      ),
    );
    expect(describeImages(registry, { ...ref, imageIds: [{ imageDigest: config.digest }] })).toEqual(
      E.left(expect.objectContaining({ _tag: "ImageNotFoundException" })),
    );
  });

  it("answers a malformed id with InvalidParameterException", () =>
    expect(describeImages(registry, { ...ref, imageIds: [{ imageDigest: "sha256:nope" }] })).toEqual(
      E.left(expect.objectContaining({ _tag: "InvalidParameterException" })),
    ));

  it("answers an invalid nextToken with InvalidParameterException", () => {
    for (const nextToken of ["", "garbage", "repo1.team/app", "img1.x.0", "img1.1", "img2.1.0"]) {
      expect(describeImages(registry, { ...ref, nextToken })).toEqual(
        E.left(
          expect.objectContaining({
            _tag: "InvalidParameterException",
            message: expect.stringContaining("nextToken"),
          }),
        ),
      );
      expect(E.isLeft(listImages(registry, { ...ref, nextToken }))).toBe(true);
    }
  });

  it("answers an unknown repository with RepositoryNotFoundException", () =>
    expect(
      describeImages(registry, { registryId, repositoryName: branded(RepositoryName, "absent") }),
    ).toEqual(E.left(expect.objectContaining({ _tag: "RepositoryNotFoundException" }))));
});

describe("ListImages", () => {
  it("lists one id per tag and the digest alone for an untagged image, in push order", () =>
    expect(listImages(registry, ref)).toEqual(
      E.right({
        imageIds: [
          { imageDigest: image.digest, imageTag: "v1" },
          { imageDigest: image.digest, imageTag: "latest" },
          { imageDigest: dockerImage.digest },
          { imageDigest: index.digest, imageTag: "multi" },
        ],
      }),
    ));

  it("pages through the tags of one image", () => {
    const first = listImages(registry, { ...ref, maxResults: 1 });
    if (E.isLeft(first) || first.right.nextToken === undefined)
      throw new Error("expected a first page with a token");
    expect(first.right.imageIds).toEqual([{ imageDigest: image.digest, imageTag: "v1" }]);
    const second = listImages(registry, { ...ref, maxResults: 1, nextToken: first.right.nextToken });
    expect(E.map((r: { imageIds: unknown }) => r.imageIds)(second)).toEqual(
      E.right([{ imageDigest: image.digest, imageTag: "latest" }]),
    );
  });

  it("gives no token with the last page", () => {
    const page = listImages(registry, { ...ref, maxResults: 4 });
    expect(E.isRight(page) && page.right.nextToken).toBe(undefined);
  });
});

describe("BatchGetImage", () => {
  it("finds the images by tag or digest (the engine adds their manifests from the log)", () =>
    expect(
      batchGetImage(registry, { ...ref, imageIds: [{ imageTag: "latest" }, { imageDigest: index.digest }] }),
    ).toEqual(
      E.right({
        images: [
          {
            ...ref,
            imageId: { imageDigest: image.digest, imageTag: "latest" },
            imageManifestMediaType: MediaTypes.ociManifest,
          },
          {
            ...ref,
            imageId: { imageDigest: index.digest },
            imageManifestMediaType: MediaTypes.dockerManifestList,
          },
        ],
        failures: [],
      }),
    ));

  it("answers ids it cannot serve with failures, not an error", () => {
    const result = batchGetImage(registry, {
      ...ref,
      imageIds: [
        { imageTag: "absent" },
        { imageDigest: "sha256:x" },
        {},
        { imageTag: "v1", imageDigest: index.digest },
      ],
    });
    expect(
      E.map((r: { failures: ReadonlyArray<{ failureCode: string }> }) =>
        r.failures.map((f) => f.failureCode),
      )(result),
    ).toEqual(
      E.right(["ImageNotFound", "InvalidImageDigest", "MissingDigestAndTag", "ImageTagDoesNotMatchDigest"]),
    );
  });

  it("refuses manifests of a media type the client does not accept", () => {
    const result = batchGetImage(registry, {
      ...ref,
      imageIds: [{ imageTag: "v1" }, { imageTag: "multi" }],
      acceptedMediaTypes: [MediaTypes.dockerManifestList],
    });
    expect(result).toEqual(
      E.right({
        images: [expect.objectContaining({ imageId: { imageDigest: index.digest, imageTag: "multi" } })],
        failures: [expect.objectContaining({ imageId: { imageTag: "v1" } })],
      }),
    );
  });
});

describe("BatchCheckLayerAvailability", () => {
  it("reports held layers with their sizes, and failures for the others", () =>
    expect(
      batchCheckLayerAvailability(registry, {
        ...ref,
        layerDigests: [base.digest, layerBlobOf("absent").digest, "not-a-digest", unused.digest],
      }),
    ).toEqual(
      E.right({
        layers: [
          {
            layerDigest: base.digest,
            layerAvailability: "AVAILABLE",
            layerSize: base.size,
            mediaType: LayerMediaTypes.ociLayer,
          },
          // No manifest references it yet: nothing has said what it is.
          { layerDigest: unused.digest, layerAvailability: "AVAILABLE", layerSize: unused.size },
        ],
        failures: [
          {
            layerDigest: layerBlobOf("absent").digest,
            failureCode: "MissingLayerDigest",
            failureReason: expect.any(String),
          },
          {
            layerDigest: "not-a-digest",
            failureCode: "InvalidLayerDigest",
            failureReason: expect.any(String),
          },
        ],
      }),
    ));

  it("answers an unknown repository with RepositoryNotFoundException", () =>
    expect(
      batchCheckLayerAvailability(registry, {
        registryId,
        repositoryName: branded(RepositoryName, "absent"),
        layerDigests: [],
      }),
    ).toEqual(E.left(expect.objectContaining({ _tag: "RepositoryNotFoundException" }))));
});

describe("downloadableLayer (GetDownloadUrlForLayer)", () => {
  it("hands out a layer an image references", () =>
    expect(downloadableLayer(registry, { ...ref, layerDigest: base.digest })).toEqual(
      E.right({ digest: base.digest, size: base.size, mediaType: LayerMediaTypes.ociLayer }),
    ));

  it("hands out a config blob", () =>
    expect(E.isRight(downloadableLayer(registry, { ...ref, layerDigest: config.digest }))).toBe(true));

  it("answers a layer the repository lacks with LayersNotFoundException", () => {
    expect(downloadableLayer(registry, { ...ref, layerDigest: layerBlobOf("absent").digest })).toEqual(
      E.left(expect.objectContaining({ _tag: "LayersNotFoundException" })),
    );
    expect(downloadableLayer(registry, { ...ref, layerDigest: "sha256:short" })).toEqual(
      E.left(expect.objectContaining({ _tag: "LayersNotFoundException" })),
    );
  });

  it("answers a layer no image references with LayerInaccessibleException", () =>
    expect(downloadableLayer(registry, { ...ref, layerDigest: unused.digest })).toEqual(
      E.left(
        expect.objectContaining({
          _tag: "LayerInaccessibleException",
          message: expect.stringContaining(unused.digest),
        }),
      ),
    ));

  it("answers a layer whose images were all deleted with LayerInaccessibleException", () => {
    const after = stateAfter(
      c.createRepository(app),
      c.uploadLayer(app, config),
      c.uploadLayer(app, top),
      c.putImage(app, dockerImage, { tag: "gone" }),
      c.deleteImages(app, [{ imageTag: "gone" }]),
    );
    expect(downloadableLayer(after, { ...ref, layerDigest: top.digest })).toEqual(
      E.left(expect.objectContaining({ _tag: "LayerInaccessibleException" })),
    );
  });

  it("answers an unknown repository with RepositoryNotFoundException", () =>
    expect(
      downloadableLayer(registry, {
        registryId,
        repositoryName: branded(RepositoryName, "absent"),
        layerDigest: base.digest,
      }),
    ).toEqual(E.left(expect.objectContaining({ _tag: "RepositoryNotFoundException" }))));
});

describe("DescribeRepositories", () => {
  it("describes a repository with its ARN and URI", () =>
    expect(describeRepositories(registry, context, { registryId })).toEqual(
      E.right({
        repositories: [
          {
            repositoryArn: "arn:aws:ecr:eu-west-1:123456789012:repository/team/app",
            registryId,
            repositoryName: app,
            repositoryUri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app",
            createdAt: EXAMPLE_TIME,
            imageTagMutability: "MUTABLE",
            imageScanningConfiguration: { scanOnPush: false },
            encryptionConfiguration: { encryptionType: "AES256" },
          },
        ],
      }),
    ));

  it("answers a missing named repository with RepositoryNotFoundException", () =>
    expect(
      describeRepositories(registry, context, {
        registryId,
        repositoryNames: [app, branded(RepositoryName, "team/absent")],
      }),
    ).toEqual(
      E.left(
        expect.objectContaining({
          _tag: "RepositoryNotFoundException",
          message: expect.stringContaining("team/absent"),
        }),
      ),
    ));

  it("lists only the repositories of the registry asked about", () =>
    expect(
      describeRepositories(registry, context, { registryId: branded(RegistryId, "000000000000") }),
    ).toEqual(E.right({ repositories: [] })));

  it("answers an invalid nextToken with InvalidParameterException", () =>
    expect(describeRepositories(registry, context, { registryId, nextToken: "img1.1.0" })).toEqual(
      E.left(expect.objectContaining({ _tag: "InvalidParameterException" })),
    ));
});

describe("DescribeRegistry", () => {
  it("has no replication rules", () =>
    expect(describeRegistry(registry, { registryId })).toEqual({
      registryId,
      replicationConfiguration: { rules: [] },
    }));
});

describe("ARNs", () => {
  it("are built as ECR builds them", () =>
    expect(repositoryArn("us-east-1", registryId, app)).toBe(
      "arn:aws:ecr:us-east-1:123456789012:repository/team/app",
    ));

  it("parse back into their parts", () =>
    expect(parseRepositoryArn("arn:aws:ecr:us-east-1:123456789012:repository/team/app")).toEqual(
      E.right({ region: "us-east-1", registryId, repositoryName: app }),
    ));

  it("parse in other partitions", () =>
    expect(E.isRight(parseRepositoryArn("arn:aws-cn:ecr:cn-north-1:123456789012:repository/app"))).toBe(
      true,
    ));

  it.each([
    "arn:aws:ecr:us-east-1:123456789012:repository/",
    "arn:aws:ecr:us-east-1:12345678901:repository/app",
    "arn:aws:s3:us-east-1:123456789012:repository/app",
    "arn:aws:ecr:us-east-1:123456789012:repository/App",
    "arn:aws:ecr:us-east-1:123456789012:repo/app",
    "team/app",
  ])("refuse %s with InvalidParameterException", (arn) =>
    expect(parseRepositoryArn(arn)).toEqual(
      E.left(expect.objectContaining({ _tag: "InvalidParameterException" })),
    ),
  );
});
