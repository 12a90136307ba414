/**
 * Signing configuration, image signing status and referrers (issue 11, item 3), and pull-time
 * update exclusions (item 4), as given/when/then examples and queries over folded state.
 */
import {
  type BerthCommand,
  describeImageSigningStatus,
  fold,
  getSigningConfiguration,
  isPullTimeExcluded,
  listImageReferrers,
  listPullTimeUpdateExclusions,
  principalOf,
  type RegistryState,
  type SigningRuleState,
} from "@berth/core";
import { EXAMPLE_TIME, imageManifestOf, layerBlobOf, registrySpecification as spec } from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, ref, registryId } from "./example-registry.js";

const PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/release";
const OTHER_PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/nightly";
const putSigning = (rules: ReadonlyArray<SigningRuleState>): BerthCommand => ({
  type: "PutSigningConfiguration",
  data: { registryId, rules },
});
const deleteSigning: BerthCommand = { type: "DeleteSigningConfiguration", data: { registryId } };
const register = (principalArn: string): BerthCommand => ({
  type: "RegisterPullTimeUpdateExclusion",
  data: { registryId, principalArn, createdAt: EXAMPLE_TIME },
});
const deregister = (principalArn: string): BerthCommand => ({
  type: "DeregisterPullTimeUpdateExclusion",
  data: { registryId, principalArn },
});
const stateAfter = (...commands: BerthCommand[]): RegistryState => fold(given(commands));

const empty = layerBlobOf("{}");
const layer = layerBlobOf("layer");
const image = imageManifestOf(empty, [layer]);
const signatureOf = (artifactType: string, note: string) => {
  const blob = layerBlobOf(note);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    artifactType,
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: empty.digest, size: empty.size },
    layers: [{ mediaType: "application/octet-stream", digest: blob.digest, size: blob.size }],
    subject: {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: image.digest,
      size: image.manifest.length,
    },
    annotations: { note },
  });
  return { blob, manifest };
};
const notation = signatureOf("application/vnd.cncf.notary.signature", "notation");
const sbom = signatureOf("application/spdx+json", "sbom");
const pushed: BerthCommand[] = [
  c.createRepository(app),
  ...c.uploadLayer(app, empty),
  ...c.uploadLayer(app, layer),
  c.putImage(app, image, { tag: "v1" }),
  ...c.uploadLayer(app, sbom.blob),
  c.putImage(app, sbom.manifest),
];
const signed: BerthCommand[] = [
  ...pushed,
  ...c.uploadLayer(app, notation.blob),
  c.putImage(app, notation.manifest),
];

describe("signing configuration", () => {
  it("is stored, answered and deleted; deleting none: SigningConfigurationNotFoundException", () => {
    const rules: SigningRuleState[] = [
      { signingProfileArn: PROFILE, repositoryFilters: [{ filter: "team/*", filterType: "WILDCARD_MATCH" }] },
    ];
    expect(getSigningConfiguration(stateAfter(putSigning(rules)), { registryId })).toEqual(
      E.right({ registryId, signingConfiguration: { rules } }),
    );
    expect(getSigningConfiguration(stateAfter(putSigning(rules), deleteSigning), { registryId })).toEqual(
      E.left(expect.objectContaining({ _tag: "SigningConfigurationNotFoundException" })),
    );
    spec().when(deleteSigning).thenFails("SigningConfigurationNotFoundException");
  });
});

describe("DescribeImageSigningStatus", () => {
  const rules: SigningRuleState[] = [
    { signingProfileArn: PROFILE },
    {
      signingProfileArn: OTHER_PROFILE,
      repositoryFilters: [{ filter: "nightly/*", filterType: "WILDCARD_MATCH" }],
    },
  ];
  const statusOf = (state: RegistryState, imageTag = "v1") =>
    describeImageSigningStatus(state, { ...ref, imageId: { imageTag } });

  it("per rule covering the repository: FAILED until a signature refers to the image, then COMPLETE", () => {
    expect(statusOf(stateAfter(putSigning(rules), ...pushed))).toEqual(
      E.right({
        ...ref,
        imageId: { imageDigest: image.digest, imageTag: "v1" },
        signingStatuses: [
          expect.objectContaining({
            signingProfileArn: PROFILE,
            status: "FAILED",
            failureCode: "SignatureNotFound",
          }),
        ],
      }),
    );
    expect(statusOf(stateAfter(putSigning(rules), ...signed))).toEqual(
      E.right(
        expect.objectContaining({ signingStatuses: [{ signingProfileArn: PROFILE, status: "COMPLETE" }] }),
      ),
    );
  });

  it("no configuration: no statuses; an unknown image: ImageNotFoundException", () => {
    expect(statusOf(stateAfter(...signed))).toEqual(
      E.right(expect.objectContaining({ signingStatuses: [] })),
    );
    expect(statusOf(stateAfter(...signed), "v2")).toEqual(
      E.left(expect.objectContaining({ _tag: "ImageNotFoundException" })),
    );
  });
});

describe("ListImageReferrers", () => {
  const state = stateAfter(...signed);
  const list = (extra: Record<string, unknown> = {}) =>
    listImageReferrers(state, { ...ref, subjectId: { imageDigest: image.digest }, ...extra });

  it("answers every referrer in digest order, ACTIVE, with its artifact type and annotations", () => {
    const answer = list();
    expect(E.isRight(answer) && answer.right.referrers.map((r) => r.artifactType).sort()).toEqual([
      "application/spdx+json",
      "application/vnd.cncf.notary.signature",
    ]);
    expect(E.isRight(answer) && answer.right.referrers[0]).toMatchObject({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactStatus: "ACTIVE",
      annotations: expect.any(Object),
    });
  });

  it("filters by artifact type and pages with nextToken, each referrer exactly once", () => {
    expect(list({ filter: { artifactTypes: ["application/vnd.cncf.notary.signature"] } })).toEqual(
      E.right({
        referrers: [expect.objectContaining({ artifactType: "application/vnd.cncf.notary.signature" })],
      }),
    );
    const first = list({ maxResults: 1 });
    if (E.isLeft(first) || first.right.nextToken === undefined)
      return expect.unreachable("a first page with a token");
    const second = list({ maxResults: 1, nextToken: first.right.nextToken });
    if (E.isLeft(second)) return expect.unreachable("a second page");
    expect(second.right.nextToken).toBeUndefined();
    expect(new Set([...first.right.referrers, ...second.right.referrers].map((r) => r.digest)).size).toBe(2);
    expect(list({ nextToken: "garbage" })).toEqual(
      E.left(expect.objectContaining({ _tag: "InvalidParameterException" })),
    );
  });

  it("no referrers for an image nobody refers to; ARCHIVED ones: none (Berth archives nothing)", () => {
    expect(listImageReferrers(state, { ...ref, subjectId: { imageDigest: notation.blob.digest } })).toEqual(
      E.right({ referrers: [] }),
    );
    expect(list({ filter: { artifactStatus: "ARCHIVED" } })).toEqual(E.right({ referrers: [] }));
  });
});

describe("pull-time update exclusions", () => {
  const role = "arn:aws:iam::123456789012:role/ci";
  const user = "arn:aws:iam::123456789012:user/scanner";

  it("are registered once (ExclusionAlreadyExistsException), listed in order, deregistered once (ExclusionNotFoundException)", () => {
    spec(given(register(role)))
      .when(register(role))
      .thenFails("ExclusionAlreadyExistsException");
    spec().when(deregister(role)).thenFails("ExclusionNotFoundException");
    const state = stateAfter(register(role), register(user));
    expect(listPullTimeUpdateExclusions(state, { registryId })).toEqual(
      E.right({
        pullTimeUpdateExclusions: [role, user],
      }),
    );
    expect(listPullTimeUpdateExclusions(state, { registryId, maxResults: 1 })).toEqual(
      E.right({
        pullTimeUpdateExclusions: [role],
        nextToken: "excl1.1",
      }),
    );
    expect(
      listPullTimeUpdateExclusions(stateAfter(register(role), deregister(role)), { registryId }),
    ).toEqual(E.right({ pullTimeUpdateExclusions: [] }));
  });

  it("allow at most 100 per registry: LimitExceededException", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => register(`arn:aws:iam::123456789012:user/u${i}`));
    spec(given(hundred)).when(register(role)).thenFails("LimitExceededException");
  });

  it("isPullTimeExcluded: the principal itself, or a session of an excluded role; no one else", () => {
    const state = stateAfter(register(role));
    expect(isPullTimeExcluded(state, registryId, role)).toBe(true);
    expect(isPullTimeExcluded(state, registryId, "arn:aws:sts::123456789012:assumed-role/ci/build-42")).toBe(
      true,
    );
    expect(isPullTimeExcluded(state, registryId, "arn:aws:sts::123456789012:assumed-role/deploy/x")).toBe(
      false,
    );
    expect(isPullTimeExcluded(state, registryId, user)).toBe(false);
    expect(isPullTimeExcluded(stateAfter(register(role), deregister(role)), registryId, role)).toBe(false);
    expect(principalOf(user)).toBe(user);
  });
});
