/**
 * Replication in the core: which destinations a repository's images go to (prefix filters), what
 * PutReplicationConfiguration refuses, the rounds a push or a tag starts, and ReplicateImage linking
 * blobs, pushing the manifest and its tags once (a second run records nothing).
 */
import {
  type BerthCommand,
  type Digest,
  decide,
  decodeRequest,
  destinationsOf,
  fold,
  imageTags,
  type RegistryId,
  type ReplicationConfiguration,
  replicationConfigurationError,
  replicationRuleCovers,
  replicationsInProgress,
  type Timestamp,
} from "@berth/core";
import { imageManifestOf, layerBlobOf } from "@berth/testkit";
import { fc, test } from "@fast-check/vitest";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, registryId } from "./example-registry.js";

const OTHER = "222222222222" as RegistryId;
const REGION = "us-east-1";

const nameArb = fc.stringMatching(/^[a-z0-9]{1,4}(\/[a-z0-9]{1,4}){0,2}$/);
const destinationArb = fc.record({
  region: fc.constantFrom("us-east-1", "eu-west-1", "ap-south-1"),
  registryId: fc.constantFrom("222222222222", "333333333333", "444444444444") as fc.Arbitrary<RegistryId>,
});
const ruleArb = fc.record(
  {
    destinations: fc.uniqueArray(destinationArb, {
      minLength: 1,
      maxLength: 4,
      selector: (d) => `${d.region}/${d.registryId}`,
    }),
    repositoryFilters: fc.array(
      fc.record({ filter: nameArb, filterType: fc.constant("PREFIX_MATCH" as const) }),
      { minLength: 1, maxLength: 3 },
    ),
  },
  { requiredKeys: ["destinations"] },
);
const configurationArb = fc.record({ rules: fc.array(ruleArb, { maxLength: 10 }) });

describe("destinationsOf", () => {
  test.prop([configurationArb, nameArb])(
    "each destination of a covering rule, once; none of a rule whose filters miss the name",
    (configuration, name) => {
      const found = destinationsOf(configuration, name);
      const expected = configuration.rules
        .filter((rule) => replicationRuleCovers(rule, name))
        .flatMap((rule) => rule.destinations.map((d) => `${d.region}/${d.registryId}`));
      expect(found.map((d) => `${d.region}/${d.registryId}`)).toEqual([...new Set(expected)]);
    },
  );
  test.prop([ruleArb, nameArb])(
    "a rule covers a name exactly when a filter is a prefix of it, or it has none",
    (rule, name) => {
      const filters = rule.repositoryFilters ?? [];
      expect(replicationRuleCovers(rule, name)).toBe(
        filters.length === 0 || filters.some((f) => name.startsWith(f.filter)),
      );
    },
  );
});

describe("PutReplicationConfiguration", () => {
  test.prop([configurationArb])(
    "accepts what keeps to ECR's limits and never names the source itself",
    (configuration) => {
      const unique = new Set(
        configuration.rules.flatMap((r) => r.destinations.map((d) => `${d.region}/${d.registryId}`)),
      );
      const error = replicationConfigurationError(configuration, registryId, REGION);
      expect(error === undefined).toBe(unique.size <= 25);
    },
  );
  it("refuses the source registry as a destination, a repeated destination, and over 25 destinations", () => {
    const self = { rules: [{ destinations: [{ region: REGION, registryId }] }] };
    expect(replicationConfigurationError(self, registryId, REGION)?._tag).toBe("InvalidParameterException");
    // The same account in another region is cross-region replication: allowed.
    expect(
      replicationConfigurationError(
        { rules: [{ destinations: [{ region: "eu-west-1", registryId }] }] },
        registryId,
        REGION,
      ),
    ).toBeUndefined();
    const twice = {
      rules: [
        {
          destinations: [
            { region: REGION, registryId: OTHER },
            { region: REGION, registryId: OTHER },
          ],
        },
      ],
    };
    expect(replicationConfigurationError(twice, registryId, REGION)?.message).toMatch(/repeated/);
    const nowhere = { rules: [{ destinations: [{ region: "nowhere", registryId: OTHER }] }] };
    expect(replicationConfigurationError(nowhere, registryId, REGION)?.message).toMatch(/not a region/);
    // A registry of another region is named by its key: its own region's account is the source.
    const eu = `${registryId}/eu-west-1` as RegistryId;
    const euSelf = { rules: [{ destinations: [{ region: "eu-west-1", registryId }] }] };
    expect(replicationConfigurationError(euSelf, eu, "eu-west-1")?._tag).toBe("InvalidParameterException");
    expect(replicationConfigurationError(self, eu, "eu-west-1")).toBeUndefined();
    const many: ReplicationConfiguration = {
      rules: [
        {
          destinations: Array.from({ length: 26 }, (_, i) => ({
            region: REGION,
            registryId: String(100000000000 + i) as RegistryId,
          })),
        },
      ],
    };
    expect(replicationConfigurationError(many, registryId, REGION)?.message).toMatch(/at most 25/);
  });
  it("the request codec keeps the model's limits: 10 rules, PREFIX_MATCH only, filters of 2 to 256", () => {
    const rule = { destinations: [{ region: "eu-west-1", registryId: "222222222222" }] };
    const put = (rules: unknown[]) =>
      decodeRequest("PutReplicationConfiguration", { replicationConfiguration: { rules } });
    expect(E.isRight(put(Array(10).fill(rule)))).toBe(true);
    expect(E.isLeft(put(Array(11).fill(rule)))).toBe(true);
    expect(
      E.isLeft(put([{ ...rule, repositoryFilters: [{ filter: "ab", filterType: "SUFFIX_MATCH" }] }])),
    ).toBe(true);
    expect(
      E.isLeft(put([{ ...rule, repositoryFilters: [{ filter: "a", filterType: "PREFIX_MATCH" }] }])),
    ).toBe(true);
    expect(E.isLeft(put([{ ...rule, repositoryFilters: [] }]))).toBe(true);
    expect(E.isLeft(put([{ destinations: [{ region: "eu-west-1", registryId: "12" }] }]))).toBe(true);
  });
});

describe("replication rounds and ReplicateImage", () => {
  const config = layerBlobOf('{"os":"linux"}');
  const layer = layerBlobOf("layer bytes");
  const image = imageManifestOf(config, [layer]);
  const put = (replicationConfiguration: ReplicationConfiguration): BerthCommand => ({
    type: "PutReplicationConfiguration",
    data: { registryId, replicationConfiguration, region: REGION },
  });
  const allow = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${registryId}:root` },
        Action: "ecr:ReplicateImage",
      },
    ],
  });
  const history = (policy = true) =>
    given(
      ...(policy
        ? [{ type: "PutRegistryPolicy", data: { registryId: OTHER, policyText: allow } } as BerthCommand]
        : []),
      put({
        rules: [
          {
            destinations: [{ region: REGION, registryId: OTHER }],
            repositoryFilters: [{ filter: "team", filterType: "PREFIX_MATCH" }],
          },
        ],
      }),
      c.createRepository(app),
      c.uploadLayer(app, config),
      c.uploadLayer(app, layer),
      c.putImage(app, image, { tag: "v1" }),
      {
        type: "CreateRepository",
        data: { registryId: OTHER, repositoryName: app, createdAt: c.putImage(app, image).data.pushedAt },
      },
    );

  /** ReplicateImage of a pending round into OTHER's copy of the repository, with `manifest`. */
  const replicateFromPending = (
    pending: { readonly imageDigest: Digest; readonly startedAt: Timestamp },
    manifest: string,
  ): BerthCommand => ({
    type: "ReplicateImage",
    data: {
      registryId: OTHER,
      repositoryName: app,
      source: { registryId, repositoryName: app, imageDigest: pending.imageDigest },
      imageManifest: manifest,
      replicatedAt: pending.startedAt,
    },
  });

  it("a push into a covered repository starts a round in the same decision", () => {
    const state = fold(history());
    expect(replicationsInProgress(state)).toEqual([
      expect.objectContaining({ repositoryName: app, destination: { region: REGION, registryId: OTHER } }),
    ]);
  });

  it("refuses a cross-account copy the destination's registry policy does not allow", () => {
    const state = fold(history(false));
    const [pending] = replicationsInProgress(state);
    const refused = decide(state, replicateFromPending(pending!, image.manifest));
    expect(E.isLeft(refused) && refused.left.message).toMatch(/^REPLICATION_NOT_ALLOWED/);
  });

  it("links the blobs, pushes the manifest with its tag, and records nothing the second time", () => {
    let state = fold(history());
    const [pending] = replicationsInProgress(state);
    const replicate: BerthCommand = replicateFromPending(pending!, image.manifest);
    const first = decide(state, replicate);
    if (E.isLeft(first)) throw new Error(first.left.message);
    expect(first.right.map((e) => e.type)).toEqual(["LayerLinked", "LayerLinked", "ImagePushed"]);
    state = fold(first.right, state);
    // The replicated push starts no round of its own (rules never chain) and a rerun records nothing.
    expect(replicationsInProgress(state)).toHaveLength(1);
    expect(decide(state, replicate)).toEqual(E.right([]));
    const destination = state.repositories.get(`${OTHER}/${app}`);
    expect(imageTags(destination!.images.get(pending!.imageDigest)!)).toEqual(["v1"]);
  });

  it("refuses a manifest that is not the source image's (the worker reads it from the log)", () => {
    const state = fold(history());
    const [pending] = replicationsInProgress(state);
    const other = imageManifestOf(config, []);
    const refused = decide(state, replicateFromPending(pending!, other.manifest));
    expect(E.isLeft(refused) && refused.left._tag).toBe("ImageDigestDoesNotMatchException");
  });
});

describe("rounds within one millisecond", () => {
  it("a second round of an image starts strictly after the first, so the first's outcome cannot end it", () => {
    const OTHER_ID = "222222222222" as RegistryId;
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [],
    });
    const history = given(
      {
        type: "PutReplicationConfiguration",
        data: {
          registryId,
          replicationConfiguration: { rules: [{ destinations: [{ region: REGION, registryId: OTHER_ID }] }] },
          region: REGION,
        },
      },
      c.createRepository(app),
      c.putImage(app, index, { tag: "v1" }),
      c.putImage(app, index, { tag: "v2" }),
    );
    const rounds = history
      .filter((e) => e.type === "ImageReplicationStarted")
      .map((e) => (e.data as { startedAt: number }).startedAt);
    expect(rounds).toHaveLength(2);
    expect(rounds[1]).toBeGreaterThan(rounds[0]!);
    const state = fold(history);
    const [pending] = replicationsInProgress(state);
    const stale = decide(state, {
      type: "RecordImageReplication",
      data: { ...pending!, startedAt: rounds[0]!, outcome: { status: "COMPLETE" } } as never,
    });
    expect(stale).toEqual(E.right([]));
  });
});
