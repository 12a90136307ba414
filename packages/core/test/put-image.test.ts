/** PutImage as given/when/then examples: what it records, and every way it can refuse. */
import { type BerthCommand, describeImages, MediaTypes, Timestamp } from "@berth/core";
import {
  branded,
  EXAMPLE_TIME,
  imageManifestOf,
  indexManifestOf,
  LayerMediaTypes,
  layerBlobOf,
  sha256Digest,
  registrySpecification as spec,
} from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, other, ref } from "./example-registry.js";

const config = layerBlobOf('{"architecture":"amd64","os":"linux"}');
const base = layerBlobOf("base layer bytes");
const top = layerBlobOf("top layer bytes, a little longer");
const image = imageManifestOf(config, [base, top]);
const dockerImage = imageManifestOf(config, [base], { format: "docker" });

/** A repository holding the three blobs above. */
const repositoryWithLayers = (setup: Parameters<typeof c.createRepository>[1] = {}): BerthCommand[] => [
  c.createRepository(app, setup),
  ...c.uploadLayer(app, config),
  ...c.uploadLayer(app, base),
  ...c.uploadLayer(app, top),
];

const pushedAt = EXAMPLE_TIME;
const later = branded(Timestamp, EXAMPLE_TIME + 60_000);

describe("PutImage records", () => {
  it("a new image under the sha256 of the manifest, with what the manifest says", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, image, { tag: "v1" }))
      .then([
        {
          type: "ImagePushed",
          data: {
            ...ref,
            imageDigest: sha256Digest(image.manifest),
            imageManifest: image.manifest,
            imageManifestMediaType: MediaTypes.ociManifest,
            artifactMediaType: LayerMediaTypes.ociConfig,
            imageTag: "v1",
            imageSizeInBytes: base.size + top.size,
            blobs: [config.digest, base.digest, top.digest],
            blobMediaTypes: {
              [config.digest]: LayerMediaTypes.ociConfig,
              [base.digest]: LayerMediaTypes.ociLayer,
              [top.digest]: LayerMediaTypes.ociLayer,
            },
            children: [],
            pushedAt,
          },
        },
      ]));

  it("a Docker v2 image with the Docker config media type as its artifact media type", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, dockerImage))
      .then((events) =>
        expect(events).toMatchObject([
          {
            type: "ImagePushed",
            data: {
              imageDigest: dockerImage.digest,
              imageManifestMediaType: MediaTypes.dockerManifest,
              artifactMediaType: LayerMediaTypes.dockerConfig,
              imageSizeInBytes: base.size,
            },
          },
        ]),
      ));

  it("an image whose digest was given correctly", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, image, { digest: image.digest }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["ImagePushed"])));

  it("the declared media type of a manifest that names none", () => {
    const bare = imageManifestOf(config, [base], { omitMediaType: true });
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, bare, { mediaType: MediaTypes.ociManifest }))
      .then((events) =>
        expect(events).toMatchObject([{ data: { imageManifestMediaType: MediaTypes.ociManifest } }]),
      );
  });

  it("a manifest that names the same media type as declared", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, image, { mediaType: MediaTypes.ociManifest }))
      .then((events) => expect(events).toHaveLength(1)));

  it("only a tag when the manifest is already there under another tag: ImageTagged", () =>
    spec(given(repositoryWithLayers(), c.putImage(app, image, { tag: "v1" })))
      .when(c.putImage(app, image, { tag: "latest", pushedAt: later }))
      .then((events, after) => {
        expect(events).toEqual([
          {
            type: "ImageTagged",
            data: { ...ref, imageDigest: image.digest, imageTag: "latest", taggedAt: later },
          },
        ]);
        const described = describeImages(after, ref);
        expect(described).toEqual(
          E.right({ imageDetails: [expect.objectContaining({ imageTags: ["v1", "latest"] })] }),
        );
      }));

  it("a tag on an untagged image", () =>
    spec(given(repositoryWithLayers(), c.putImage(app, image)))
      .when(c.putImage(app, image, { tag: "v1" }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["ImageTagged"])));

  it("in a MUTABLE repository, a tag moving to a new image, leaving the old one untagged", () =>
    spec(given(repositoryWithLayers(), c.putImage(app, dockerImage, { tag: "latest" })))
      .when(c.putImage(app, image, { tag: "latest" }))
      .then((events, after) => {
        expect(events).toMatchObject([
          { type: "ImagePushed", data: { imageDigest: image.digest, imageTag: "latest" } },
        ]);
        expect(describeImages(after, ref)).toEqual(
          E.right({
            imageDetails: [
              expect.not.objectContaining({ imageTags: expect.anything() }),
              expect.objectContaining({ imageDigest: image.digest, imageTags: ["latest"] }),
            ],
          }),
        );
      }));

  it("in a MUTABLE repository, a tag moving to an existing image", () =>
    spec(
      given(repositoryWithLayers(), c.putImage(app, dockerImage, { tag: "latest" }), c.putImage(app, image)),
    )
      .when(c.putImage(app, image, { tag: "latest" }))
      .then((events) =>
        expect(events).toMatchObject([{ type: "ImageTagged", data: { imageDigest: image.digest } }]),
      ));

  it("in an IMMUTABLE repository, a new tag on an existing image", () =>
    spec(
      given(repositoryWithLayers({ imageTagMutability: "IMMUTABLE" }), c.putImage(app, image, { tag: "v1" })),
    )
      .when(c.putImage(app, image, { tag: "v2" }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["ImageTagged"])));

  it("in an IMMUTABLE_WITH_EXCLUSION repository, an excluded tag moving", () =>
    spec(
      given(
        repositoryWithLayers({
          imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }],
        }),
        c.putImage(app, dockerImage, { tag: "dev-42" }),
      ),
    )
      .when(c.putImage(app, image, { tag: "dev-42" }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["ImagePushed"])));

  it("an image whose foreign layers the repository does not hold", () => {
    const foreign = imageManifestOf(config, [base]).manifest.replace(
      LayerMediaTypes.ociLayer,
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    );
    const withForeign = JSON.stringify({
      ...JSON.parse(foreign),
      layers: [
        {
          mediaType: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
          digest: sha256Digest("elsewhere"),
          size: 7,
        },
      ],
    });
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, withForeign))
      .then((events) =>
        expect(events).toMatchObject([{ type: "ImagePushed", data: { blobs: [config.digest] } }]),
      );
  });

  it("a schema 1 manifest whose layers exist", () => {
    const schema1 = JSON.stringify({
      schemaVersion: 1,
      name: "team/app",
      tag: "old",
      fsLayers: [{ blobSum: base.digest }, { blobSum: base.digest }],
    });
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, schema1))
      .then((events) =>
        expect(events).toMatchObject([
          {
            type: "ImagePushed",
            data: { imageManifestMediaType: MediaTypes.dockerManifestSchema1Signed, blobs: [base.digest] },
          },
        ]),
      );
  });

  it("an index whose manifests exist, with the manifests as children", () => {
    const index = indexManifestOf([image, dockerImage]);
    spec(given(repositoryWithLayers(), c.putImage(app, image), c.putImage(app, dockerImage)))
      .when(c.putImage(app, index, { tag: "multi" }))
      .then((events) =>
        expect(events).toMatchObject([
          {
            type: "ImagePushed",
            data: {
              imageDigest: index.digest,
              imageManifestMediaType: MediaTypes.ociIndex,
              blobs: [],
              children: [image.digest, dockerImage.digest],
              imageSizeInBytes: image.byteLength + dockerImage.byteLength,
            },
          },
        ]),
      );
  });
});

describe("PutImage refuses", () => {
  it("an unknown repository: RepositoryNotFoundException", () =>
    spec().when(c.putImage(app, image)).thenFails("RepositoryNotFoundException"));

  it.each([
    ["invalid JSON", "{"],
    ["an empty manifest", " "],
    ["a JSON array", "[]"],
    ["a JSON string", '"manifest"'],
    ["null", "null"],
  ])("%s: InvalidParameterException", (_, manifest) =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, manifest, { mediaType: MediaTypes.ociManifest }))
      .thenFails("InvalidParameterException", { message: expect.stringContaining("imageManifest") }),
  );

  it("a manifest without a media type when none is declared: InvalidParameterException", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, imageManifestOf(config, [base], { omitMediaType: true })))
      .thenFails("InvalidParameterException", {
        message: "image manifest mediatype not provided in manifest or parameter",
      }));

  it("a manifest whose media type differs from the declared one: InvalidParameterException", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, image, { mediaType: MediaTypes.dockerManifest }))
      .thenFails("InvalidParameterException", {
        message: expect.stringContaining(MediaTypes.dockerManifest),
      }));

  it("an unsupported media type: InvalidParameterException", () =>
    spec(given(repositoryWithLayers()))
      .when(
        c.putImage(
          app,
          JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.example.thing+json" }),
        ),
      )
      .thenFails("InvalidParameterException", { message: expect.stringContaining("unsupported") }));

  it("a media type that is not one: InvalidParameterException", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, JSON.stringify({ schemaVersion: 2, mediaType: "not a media type" })))
      .thenFails("InvalidParameterException"));

  it("an image manifest without config: InvalidParameterException", () =>
    spec(given(repositoryWithLayers()))
      .when(
        c.putImage(app, JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, layers: [] })),
      )
      .thenFails("InvalidParameterException"));

  it("a descriptor with a malformed digest: InvalidParameterException", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, image.manifest.replace(base.digest, "sha256:XYZ")))
      .thenFails("InvalidParameterException"));

  it("the same manifest again without a tag: ImageAlreadyExistsException", () =>
    spec(given(repositoryWithLayers(), c.putImage(app, image)))
      .when(c.putImage(app, image))
      .thenFails("ImageAlreadyExistsException", { message: expect.stringContaining(image.digest) }));

  it("the same manifest again with the tag it has: ImageAlreadyExistsException", () =>
    spec(given(repositoryWithLayers(), c.putImage(app, image, { tag: "v1" })))
      .when(c.putImage(app, image, { tag: "v1" }))
      .thenFails("ImageAlreadyExistsException", { message: expect.stringContaining("'v1'") }));

  it("under OCI's rules, the same manifest (and tag) again is accepted and records nothing", () => {
    const oci = (command: BerthCommand): BerthCommand =>
      command.type === "PutImage" ? { ...command, data: { ...command.data, rules: "oci" } } : command;
    spec(given(repositoryWithLayers(), c.putImage(app, image, { tag: "v1" })))
      .when(oci(c.putImage(app, image, { tag: "v1" })))
      .then([]);
    spec(given(repositoryWithLayers(), c.putImage(app, image)))
      .when(oci(c.putImage(app, image)))
      .then([]);
  });

  it("in an IMMUTABLE repository, a tag on a new image: ImageTagAlreadyExistsException", () =>
    spec(
      given(
        repositoryWithLayers({ imageTagMutability: "IMMUTABLE" }),
        c.putImage(app, dockerImage, { tag: "v1" }),
      ),
    )
      .when(c.putImage(app, image, { tag: "v1" }))
      .thenFails("ImageTagAlreadyExistsException", { message: expect.stringContaining("'v1'") }));

  it("in an IMMUTABLE repository, a tag on an existing image: ImageTagAlreadyExistsException", () =>
    spec(
      given(
        repositoryWithLayers({ imageTagMutability: "IMMUTABLE" }),
        c.putImage(app, dockerImage, { tag: "v1" }),
        c.putImage(app, image),
      ),
    )
      .when(c.putImage(app, image, { tag: "v1" }))
      .thenFails("ImageTagAlreadyExistsException"));

  it("in a MUTABLE_WITH_EXCLUSION repository, moving an excluded tag: ImageTagAlreadyExistsException", () =>
    spec(
      given(
        repositoryWithLayers({
          imageTagMutability: "MUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "release-*" }],
        }),
        c.putImage(app, dockerImage, { tag: "release-1" }),
        c.putImage(app, dockerImage, { tag: "latest" }),
      ),
    )
      .when(c.putImage(app, image, { tag: "release-1" }))
      .thenFails("ImageTagAlreadyExistsException"));

  it("a digest that is not the manifest's: ImageDigestDoesNotMatchException", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, image, { digest: dockerImage.digest }))
      .thenFails("ImageDigestDoesNotMatchException", {
        message: `The provided image digest '${dockerImage.digest}' does not match the calculated digest '${image.digest}' of the manifest`,
      }));

  it("a malformed digest: ImageDigestDoesNotMatchException", () =>
    spec(given(repositoryWithLayers()))
      .when(c.putImage(app, image, { digest: image.digest.toUpperCase() }))
      .thenFails("ImageDigestDoesNotMatchException"));

  it("a manifest whose layers the repository lacks: LayersNotFoundException, naming them", () =>
    spec(given(c.createRepository(app), c.uploadLayer(app, config)))
      .when(c.putImage(app, image))
      .thenFails("LayersNotFoundException", {
        message: expect.stringMatching(new RegExp(`${base.digest}.*${top.digest}`)),
      }));

  it("a manifest whose config the repository lacks: LayersNotFoundException", () =>
    spec(given(c.createRepository(app), c.uploadLayer(app, base), c.uploadLayer(app, top)))
      .when(c.putImage(app, image))
      .thenFails("LayersNotFoundException", { message: expect.stringContaining(config.digest) }));

  it("a manifest whose layers are in another repository only: LayersNotFoundException", () => {
    spec(
      given(
        c.createRepository(app),
        c.createRepository(other),
        c.uploadLayer(other, config),
        c.uploadLayer(other, base),
      ),
    )
      .when(c.putImage(app, imageManifestOf(config, [base])))
      .thenFails("LayersNotFoundException");
  });

  it("an index whose manifests the repository lacks: ReferencedImagesNotFoundException", () =>
    spec(given(repositoryWithLayers(), c.putImage(app, image)))
      .when(c.putImage(app, indexManifestOf([image, dockerImage])))
      .thenFails("ReferencedImagesNotFoundException", {
        message: expect.stringContaining(dockerImage.digest),
      }));
});

describe("Lenient mode (PutRegistrySettings { lenient: true })", () => {
  it("accepts a manifest whose layers are missing", () =>
    spec(given(c.putRegistrySettings(true), c.createRepository(app)))
      .when(c.putImage(app, image, { tag: "v1" }))
      .then((events) =>
        expect(events).toMatchObject([{ type: "ImagePushed", data: { imageDigest: image.digest } }]),
      ));

  it("accepts an index whose manifests are missing", () =>
    spec(given(c.putRegistrySettings(true), c.createRepository(app)))
      .when(c.putImage(app, indexManifestOf([image])))
      .then((events) => expect(events.map((e) => e.type)).toEqual(["ImagePushed"])));

  it("still refuses what is not a manifest", () =>
    spec(given(c.putRegistrySettings(true), c.createRepository(app)))
      .when(c.putImage(app, "{"))
      .thenFails("InvalidParameterException"));

  it("is strict again once switched off", () =>
    spec(given(c.putRegistrySettings(true), c.putRegistrySettings(false), c.createRepository(app)))
      .when(c.putImage(app, image))
      .thenFails("LayersNotFoundException"));
});
