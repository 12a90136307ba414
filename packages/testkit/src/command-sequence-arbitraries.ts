/**
 * Random command histories over small pools of names, tags, blobs and manifests, so that the
 * commands name the same things and collide.
 */
import {
  type BerthCommand,
  type ImageIdentifier,
  ImageTag,
  type RegistryId,
  type RepositoryName,
  type UploadRules,
} from "@berth/core";
import fc, { type Arbitrary } from "fast-check";
import { branded } from "./branded.js";
import { type LayerBlob, layerBlobsArb, splitBytes } from "./layer-blobs.js";
import {
  CONVENTIONAL_STYLE,
  imageManifestOf,
  imageManifestOverArb,
  indexManifestArb,
  type ManifestDraft,
  manifestStyleArb,
} from "./manifest-arbitraries.js";
import { registryCommands } from "./registry-commands.js";
import { sha256Digest } from "./sha256-digest.js";
import {
  digestArb,
  imageTagArb,
  registryIdArb,
  repositoryNameArb,
  tagMutabilityArb,
  timestampArb,
  uploadIdArb,
} from "./value-arbitraries.js";

/** Small pools that random commands draw from, so that they name the same things and collide. */
export interface RegistryPools {
  readonly registryId: RegistryId;
  readonly repositoryNames: ReadonlyArray<RepositoryName>;
  readonly imageTags: ReadonlyArray<ImageTag>;
  readonly blobs: ReadonlyArray<LayerBlob>;
  /** Image manifests over `blobs`, then indexes over some of those images. */
  readonly manifests: ReadonlyArray<ManifestDraft>;
}

export interface RegistryPoolsConstraints {
  readonly maxRepositories?: number;
  readonly maxTags?: number;
  readonly maxBlobs?: number;
  readonly maxImages?: number;
  readonly maxIndexes?: number;
  /** OCI referrers: image manifests whose `subject` is another manifest of the pool. */
  readonly maxReferrers?: number;
}

/** Tags that exclusion filters in `EXCLUSION_FILTER_POOL` match in interesting ways. */
export const TAG_POOL = ["latest", "v1", "v2", "dev-1", "1.0-dev", "release-3", "1.2.3", "stable"] as const;

export const registryPoolsArb = (constraints: RegistryPoolsConstraints = {}): Arbitrary<RegistryPools> =>
  fc
    .record({
      registryId: registryIdArb(),
      repositoryNames: fc.uniqueArray(repositoryNameArb({ maxLength: 40 }), {
        minLength: 1,
        maxLength: constraints.maxRepositories ?? 2,
      }),
      imageTags: fc.uniqueArray(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...TAG_POOL).map((tag) => branded(ImageTag, tag)) },
          { weight: 1, arbitrary: imageTagArb() },
        ),
        { minLength: 1, maxLength: constraints.maxTags ?? 4 },
      ),
      blobs: layerBlobsArb({ minLength: 1, maxLength: constraints.maxBlobs ?? 3, blobMaxLength: 24 }),
    })
    .chain((pools) =>
      fc
        .array(imageManifestOverArb(pools.blobs, manifestStyleArb({ unicode: false })), {
          minLength: 1,
          maxLength: constraints.maxImages ?? 4,
        })
        .chain((images) => {
          const unique = [...new Map(images.map((image) => [image.digest, image])).values()];
          return fc
            .array(
              fc
                .subarray(unique, { minLength: 1, maxLength: Math.min(2, unique.length) })
                .chain((children) => indexManifestArb(children, manifestStyleArb({ unicode: false }))),
              { maxLength: constraints.maxIndexes ?? 1 },
            )
            .chain((indexes) =>
              fc
                .array(
                  fc
                    .tuple(
                      fc.constantFrom(...unique, ...indexes),
                      fc.constantFrom(...pools.blobs),
                      fc.nat({ max: 9 }),
                    )
                    .map(([subject, config, n]) =>
                      imageManifestOf(config, [], {
                        subject,
                        style: {
                          ...CONVENTIONAL_STYLE,
                          space: 0,
                          annotations: { "org.example.referrer": String(n) },
                        },
                      }),
                    ),
                  { maxLength: constraints.maxReferrers ?? 1 },
                )
                .map((referrers) => ({
                  ...pools,
                  manifests: [
                    ...new Map([...unique, ...indexes, ...referrers].map((m) => [m.digest, m])).values(),
                  ],
                })),
            );
        }),
    );

const policyOf = (action: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: [action] }],
  });

/** Policies fit for a repository and a registry, for a repository only, and texts that are no policy. */
const policyTextArb = (): Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(policyOf("ecr:ReplicateImage")) },
    { weight: 1, arbitrary: fc.constant(policyOf("ecr:BatchGetImage")) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "not json",
        "[]",
        "null",
        "42",
        "",
        '{"Version":"2012-10-17","Statement":[]}',
      ),
    },
  );

/** An image id for BatchDeleteImage/DescribeImages: by tag, digest, both (matching or not), or broken. */
export const imageIdentifierArb = (pools: RegistryPools): Arbitrary<ImageIdentifier> => {
  const tag = fc.constantFrom(...pools.imageTags);
  const digest = fc.constantFrom(...pools.manifests.map((m) => m.digest));
  return fc.oneof(
    { weight: 4, arbitrary: tag.map((imageTag) => ({ imageTag })) },
    { weight: 4, arbitrary: digest.map((imageDigest) => ({ imageDigest })) },
    { weight: 3, arbitrary: fc.record({ imageTag: tag, imageDigest: digest }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<ImageIdentifier>(
        {},
        { imageDigest: "sha256:abc" },
        { imageTag: "" },
        { imageTag: "x".repeat(301) },
      ),
    },
  );
};

/**
 * One step of a random history: usually one command, sometimes a whole layer upload (initiate,
 * parts, complete) so that layers actually arrive and images can be pushed.
 */
export const registryStepArb = (pools: RegistryPools): Arbitrary<BerthCommand[]> => {
  const c = registryCommands(pools.registryId);
  const name = fc.constantFrom(...pools.repositoryNames);
  const tag = fc.constantFrom(...pools.imageTags);
  const blob = fc.constantFrom(...pools.blobs);
  const manifest = fc.constantFrom(...pools.manifests);
  const single = (arb: Arbitrary<BerthCommand>) => arb.map((command) => [command]);
  const upload = fc
    .record({
      name,
      blob,
      uploadId: uploadIdArb(),
      cuts: fc.array(fc.nat(), { maxLength: 2 }),
      declared: fc.oneof(
        { weight: 5, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: digestArb() },
      ),
      rules: fc.constantFrom<UploadRules>("ecr", "oci"),
    })
    .map(({ name, blob, uploadId, cuts, declared, rules }) => {
      const parts = splitBytes(blob.bytes, cuts);
      let at = 0;
      const partCommands = parts.map((part) => {
        const command = c.uploadLayerPart(name, uploadId, at, part.length);
        at += part.length;
        return command;
      });
      return [
        c.initiateLayerUpload(name, uploadId),
        ...partCommands,
        c.completeLayerUpload(name, uploadId, blob, {
          ...(declared === undefined ? {} : { declared }),
          rules,
        }),
      ];
    });
  return fc.oneof(
    {
      weight: 1,
      arbitrary: single(fc.tuple(name, tagMutabilityArb()).map(([n, m]) => c.createRepository(n, m))),
    },
    {
      weight: 1,
      arbitrary: single(fc.tuple(name, fc.boolean()).map(([n, force]) => c.deleteRepository(n, force))),
    },
    { weight: 2, arbitrary: upload },
    {
      weight: 12,
      arbitrary: single(
        fc
          .record({
            name,
            manifest,
            tag: fc.option(tag, { nil: undefined }),
            digest: fc.oneof(
              { weight: 6, arbitrary: fc.constant<"none" | "right" | "wrong">("none") },
              { weight: 1, arbitrary: fc.constantFrom<"none" | "right" | "wrong">("right", "wrong") },
            ),
            pushedAt: timestampArb(),
          })
          .map(({ name, manifest, tag, digest, pushedAt }) =>
            c.putImage(name, manifest, {
              ...(tag === undefined ? {} : { tag }),
              ...(digest === "none"
                ? {}
                : { digest: digest === "right" ? manifest.digest : sha256Digest(`${manifest.manifest} `) }),
              pushedAt,
            }),
          ),
      ),
    },
    {
      weight: 4,
      arbitrary: single(
        fc
          .tuple(name, fc.array(imageIdentifierArb(pools), { minLength: 1, maxLength: 3 }))
          .map(([n, ids]) => c.deleteImages(n, ids)),
      ),
    },
    {
      weight: 1,
      arbitrary: single(fc.tuple(name, tagMutabilityArb()).map(([n, m]) => c.putImageTagMutability(n, m))),
    },
    {
      weight: 1,
      arbitrary: single(fc.tuple(name, name, blob).map(([n, from, b]) => c.mountLayer(n, from, b.digest))),
    },
    {
      weight: 1,
      arbitrary: single(
        fc.oneof(
          fc.tuple(name, policyTextArb()).map(([n, text]) => c.setRepositoryPolicy(n, text)),
          name.map((n) => c.deleteRepositoryPolicy(n)),
          policyTextArb().map((text) => c.putRegistryPolicy(text)),
          fc.constant(c.deleteRegistryPolicy()),
          fc
            .tuple(name, fc.constantFrom("team", "aws:reserved", "env"))
            .map(([n, key]) => c.tagResource(n, [{ Key: key, Value: "x" }])),
          fc
            .tuple(name, fc.constantFrom("team", "aws:reserved"))
            .map(([n, key]) => c.untagResource(n, [key])),
          fc.tuple(name, uploadIdArb()).map(([n, id]) => c.discardLayerUpload(n, id)),
        ),
      ),
    },
    { weight: 1, arbitrary: single(fc.boolean().map((lenient) => c.putRegistrySettings(lenient))) },
  );
};

/**
 * A random history: when `prelude` (the default), it starts by creating every repository of the pools
 * and uploading every blob into each, so that the random steps after it find something to work on.
 */
export const registryCommandsArb = (
  pools: RegistryPools,
  constraints: { maxSteps?: number; prelude?: boolean } = {},
): Arbitrary<BerthCommand[]> => {
  const c = registryCommands(pools.registryId);
  const maxSteps = constraints.maxSteps ?? 30;
  const prelude: Arbitrary<BerthCommand[]> =
    constraints.prelude === false
      ? fc.constant([])
      : fc
          .tuple(...pools.repositoryNames.map(() => fc.oneof(fc.constant({}), tagMutabilityArb())))
          .map((settings) =>
            pools.repositoryNames.flatMap((name, i) => [
              c.createRepository(name, settings[i] ?? {}),
              ...pools.blobs.flatMap((blob) => c.uploadLayer(name, blob)),
            ]),
          );
  return fc
    .tuple(
      prelude,
      fc.array(registryStepArb(pools), { minLength: Math.floor(maxSteps / 3), maxLength: maxSteps }),
    )
    .map(([commands, steps]) => [...commands, ...steps.flat()]);
};

/** Pools and a history over them. */
export const registryScenarioArb = (
  constraints: RegistryPoolsConstraints & { maxSteps?: number; prelude?: boolean } = {},
): Arbitrary<{ pools: RegistryPools; commands: BerthCommand[] }> =>
  registryPoolsArb(constraints).chain((pools) =>
    registryCommandsArb(pools, constraints).map((commands) => ({ pools, commands })),
  );
