/**
 * Signing, referrers and pull-time update exclusions through `@aws-sdk/client-ecr` (issue 11,
 * items 3 and 4): a signature pushed as an OCI referrer over `/v2` makes the image's signing status
 * COMPLETE, and ListImageReferrers answers it.
 */
import {
  CreateRepositoryCommand,
  DeleteSigningConfigurationCommand,
  DeregisterPullTimeUpdateExclusionCommand,
  DescribeImageSigningStatusCommand,
  type ECRClient,
  GetSigningConfigurationCommand,
  ListImageReferrersCommand,
  ListPullTimeUpdateExclusionsCommand,
  PutImageCommand,
  PutSigningConfigurationCommand,
  RegisterPullTimeUpdateExclusionCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { expectEcrError, OCI_MANIFEST, pushImage, sha256, uploadBlob } from "./ecr-helpers.js";

const PROFILE = `arn:aws:signer:us-east-1:${TEST_REGISTRY_ID}:/signing-profiles/release`;
const NOTATION = "application/vnd.cncf.notary.signature";

describe("signing and referrers through @aws-sdk/client-ecr", () => {
  let berth: RunningBerth;
  let ecr: ECRClient;
  const repositoryName = "signed/app";

  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    ecr = berth.client();
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("Put/Get/DeleteSigningConfiguration; at most 10 rules", async () => {
    await expectEcrError(
      ecr.send(new GetSigningConfigurationCommand({})),
      "SigningConfigurationNotFoundException",
    );
    const signingConfiguration = {
      rules: [
        {
          signingProfileArn: PROFILE,
          repositoryFilters: [{ filter: "signed/*", filterType: "WILDCARD_MATCH" as const }],
        },
      ],
    };
    expect(
      (await ecr.send(new PutSigningConfigurationCommand({ signingConfiguration }))).signingConfiguration,
    ).toEqual(signingConfiguration);
    expect(await ecr.send(new GetSigningConfigurationCommand({}))).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      signingConfiguration,
    });
    const tooMany = { rules: Array.from({ length: 11 }, () => ({ signingProfileArn: PROFILE })) };
    await expectEcrError(
      ecr.send(new PutSigningConfigurationCommand({ signingConfiguration: tooMany })),
      "InvalidParameterException",
    );
    expect((await ecr.send(new DeleteSigningConfigurationCommand({}))).signingConfiguration).toEqual(
      signingConfiguration,
    );
    await expectEcrError(
      ecr.send(new DeleteSigningConfigurationCommand({})),
      "SigningConfigurationNotFoundException",
    );
  });

  it("a notation signature pushed as a referrer: signing status COMPLETE, ListImageReferrers answers it", async () => {
    await ecr.send(
      new PutSigningConfigurationCommand({
        signingConfiguration: { rules: [{ signingProfileArn: PROFILE }] },
      }),
    );
    const image = await pushImage(ecr, repositoryName, {
      tag: "v1",
      layers: [new TextEncoder().encode("app")],
    });
    const before = await ecr.send(
      new DescribeImageSigningStatusCommand({ repositoryName, imageId: { imageTag: "v1" } }),
    );
    expect(before.signingStatuses).toEqual([
      expect.objectContaining({ signingProfileArn: PROFILE, status: "FAILED" }),
    ]);

    // What `notation sign` pushes: an artifact manifest whose subject is the image.
    const empty = new TextEncoder().encode("{}");
    const signature = new TextEncoder().encode("signature envelope");
    await uploadBlob(ecr, repositoryName, empty);
    await uploadBlob(ecr, repositoryName, signature);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: NOTATION,
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(empty), size: empty.length },
      layers: [{ mediaType: "application/jose+json", digest: sha256(signature), size: signature.length }],
      subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: image.manifest.length },
      annotations: { "io.cncf.notary.x509chain.thumbprint#S256": "[]" },
    });
    await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest }));

    const after = await ecr.send(
      new DescribeImageSigningStatusCommand({ repositoryName, imageId: { imageTag: "v1" } }),
    );
    expect(after).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryName,
      imageId: { imageDigest: image.digest, imageTag: "v1" },
      signingStatuses: [{ signingProfileArn: PROFILE, status: "COMPLETE" }],
    });
    const referrers = await ecr.send(
      new ListImageReferrersCommand({
        repositoryName,
        subjectId: { imageDigest: image.digest },
        filter: { artifactTypes: [NOTATION] },
      }),
    );
    expect(referrers.referrers).toEqual([
      {
        digest: sha256(manifest),
        mediaType: OCI_MANIFEST,
        artifactType: NOTATION,
        size: manifest.length,
        annotations: { "io.cncf.notary.x509chain.thumbprint#S256": "[]" },
        artifactStatus: "ACTIVE",
      },
    ]);
    await expectEcrError(
      ecr.send(new DescribeImageSigningStatusCommand({ repositoryName, imageId: { imageTag: "absent" } })),
      "ImageNotFoundException",
    );
  });
});

describe("pull-time update exclusions through @aws-sdk/client-ecr", () => {
  let berth: RunningBerth;
  let ecr: ECRClient;
  const role = `arn:aws:iam::${TEST_REGISTRY_ID}:role/ci`;

  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    ecr = berth.client();
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("register, list, deregister; twice is ExclusionAlreadyExists / ExclusionNotFound", async () => {
    const registered = await ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: role }));
    expect(registered.principalArn).toBe(role);
    expect(registered.createdAt).toBeInstanceOf(Date);
    await expectEcrError(
      ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: role })),
      "ExclusionAlreadyExistsException",
    );
    await expectEcrError(
      ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: "arn:aws:s3:::bucket" })),
      "InvalidParameterException",
    );
    expect((await ecr.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions).toEqual([
      role,
    ]);
    await ecr.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: role }));
    await expectEcrError(
      ecr.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: role })),
      "ExclusionNotFoundException",
    );
  });
});
