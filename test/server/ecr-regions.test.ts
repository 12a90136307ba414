/**
 * Every region in one server (issue 12, item 1): an ECR request acts in the registry of its
 * credential scope's region, a token from GetAuthorizationToken carries that region to /v2, and
 * events recorded before regions existed (keyed by the bare account) stay the default region's.
 * Driven by the real `@aws-sdk/client-ecr` and the raw OCI client.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  GetRegistryPolicyCommand,
  ListTagsForResourceCommand,
  PutRegistryPolicyCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  localEcrClient,
  type RunningBerth,
  startBerth,
  startEmbedded,
  TEST_REGISTRY_ID,
} from "../support/berth-server.js";
import { ociClient, pushImage } from "../support/oci-client.js";
import { expectEcrError } from "./ecr-helpers.js";

const policyText = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "eu", Effect: "Allow", Principal: { AWS: "*" }, Action: ["ecr:ReplicateImage"] }],
});

const namesIn = async (client: ECRClient) =>
  ((await client.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName);

describe.each(["memory", "postgres"] as const)("two regions in one Berth (%s)", (storage) => {
  let berth: RunningBerth;
  let us: ECRClient;
  let eu: ECRClient;
  beforeAll(async () => {
    berth = await startBerth({ storage, credentials: `AKIDREGIONS:secret:${TEST_REGISTRY_ID}` });
    const credentials = { accessKeyId: "AKIDREGIONS", secretAccessKey: "secret" };
    us = berth.client({ credentials, region: "us-east-1" });
    eu = berth.client({ credentials, region: "eu-west-1" });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("keeps each region's repositories apart; ARNs, URIs and registryId name region and account", async () => {
    const created = await eu.send(new CreateRepositoryCommand({ repositoryName: "regions/app" }));
    expect(created.repository).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryArn: `arn:aws:ecr:eu-west-1:${TEST_REGISTRY_ID}:repository/regions/app`,
    });
    expect(created.repository?.repositoryUri).toMatch(/\/regions\/app$/);
    expect(await namesIn(eu)).toEqual(["regions/app"]);
    expect(await namesIn(us)).toEqual([]);
    await expectEcrError(
      us.send(new DescribeRepositoriesCommand({ repositoryNames: ["regions/app"] })),
      "RepositoryNotFoundException",
    );
    // The same name is free in the other region; a named registryId is the account, in the request's region.
    const inUs = await us.send(
      new CreateRepositoryCommand({ registryId: TEST_REGISTRY_ID, repositoryName: "regions/app" }),
    );
    expect(inUs.repository?.repositoryArn).toBe(
      `arn:aws:ecr:us-east-1:${TEST_REGISTRY_ID}:repository/regions/app`,
    );
    const described = await eu.send(
      new DescribeRepositoriesCommand({ registryId: TEST_REGISTRY_ID, repositoryNames: ["regions/app"] }),
    );
    expect(described.repositories?.map((r) => [r.registryId, r.repositoryArn])).toEqual([
      [TEST_REGISTRY_ID, `arn:aws:ecr:eu-west-1:${TEST_REGISTRY_ID}:repository/regions/app`],
    ]);
    // Tags follow the ARN's region.
    const resourceArn = `arn:aws:ecr:eu-west-1:${TEST_REGISTRY_ID}:repository/regions/app`;
    await eu.send(new TagResourceCommand({ resourceArn, tags: [{ Key: "region", Value: "eu" }] }));
    expect((await eu.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([
      { Key: "region", Value: "eu" },
    ]);
    const usArn = resourceArn.replace("eu-west-1", "us-east-1");
    expect((await us.send(new ListTagsForResourceCommand({ resourceArn: usArn }))).tags).toEqual([]);
  });

  it("answers DescribeRegistry and registry policies from the region's own registry", async () => {
    expect((await eu.send(new DescribeRegistryCommand({}))).registryId).toBe(TEST_REGISTRY_ID);
    await eu.send(new PutRegistryPolicyCommand({ policyText }));
    expect((await eu.send(new GetRegistryPolicyCommand({}))).registryId).toBe(TEST_REGISTRY_ID);
    const failure = await expectEcrError(
      us.send(new GetRegistryPolicyCommand({})),
      "RegistryPolicyNotFoundException",
    );
    expect(failure.message).toContain(`'${TEST_REGISTRY_ID}'`);
    // A message from another region's registry names the account, never the internal key.
    const missing = await expectEcrError(
      eu.send(new DescribeRepositoriesCommand({ repositoryNames: ["regions/none"] })),
      "RepositoryNotFoundException",
    );
    expect(missing.message).toBe(
      `The repository with name 'regions/none' does not exist in the registry with id '${TEST_REGISTRY_ID}'`,
    );
  });

  it("a token from eu-west-1 pushes over /v2 into eu-west-1; us-east-1 does not see it", async () => {
    await eu.send(new CreateRepositoryCommand({ repositoryName: "regions/pushed" }));
    const token = (await eu.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]
      ?.authorizationToken;
    const euOci = ociClient(berth.endpoint, `Basic ${token}`);
    const pushed = await pushImage(euOci, "regions/pushed", "v1");
    const layerDigest = (JSON.parse(pushed.bytes) as { layers: Array<{ digest: string }> }).layers[0]!.digest;
    const download = await eu.send(
      new GetDownloadUrlForLayerCommand({ repositoryName: "regions/pushed", layerDigest }),
    );
    expect((await fetch(download.downloadUrl!)).status).toBe(200);
    await expectEcrError(
      us.send(new GetDownloadUrlForLayerCommand({ repositoryName: "regions/pushed", layerDigest })),
      "RepositoryNotFoundException",
    );
    const images = await eu.send(new DescribeImagesCommand({ repositoryName: "regions/pushed" }));
    expect(images.imageDetails?.map((d) => [d.registryId, d.imageTags])).toEqual([
      [TEST_REGISTRY_ID, ["v1"]],
    ]);
    expect((await euOci.request("/v2/regions/pushed/tags/list")).status).toBe(200);
    const missing = await euOci.request("/v2/regions/none/tags/list");
    expect(missing.status).toBe(404);
    const { errors } = (await missing.json()) as { errors: Array<{ message: string }> };
    expect(errors[0]?.message).toContain(`registry with id '${TEST_REGISTRY_ID}'`);

    const usToken = (await us.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]
      ?.authorizationToken;
    const usOci = ociClient(berth.endpoint, `Basic ${usToken}`);
    expect((await usOci.request("/v2/regions/pushed/manifests/v1")).status).toBe(404);
    expect(await namesIn(us)).not.toContain("regions/pushed");
  });
});

describe("--repository-uri-style aws names the request's region", () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory", repositoryUriStyle: "aws" });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("answers ap-southeast-2 URIs and proxyEndpoint; unauthenticated /v2 is the default region", async () => {
    const sydney = berth.client({ region: "ap-southeast-2" });
    const created = await sydney.send(new CreateRepositoryCommand({ repositoryName: "regions/uri" }));
    expect(created.repository?.repositoryUri).toBe(
      `${TEST_REGISTRY_ID}.dkr.ecr.ap-southeast-2.amazonaws.com/regions/uri`,
    );
    const token = await sydney.send(new GetAuthorizationTokenCommand({}));
    expect(token.authorizationData?.[0]?.proxyEndpoint).toBe(
      `https://${TEST_REGISTRY_ID}.dkr.ecr.ap-southeast-2.amazonaws.com`,
    );
    // Local mode: /v2 without a token acts in the default region (us-east-1), which has no such repository.
    const anonymous = ociClient(berth.endpoint);
    expect((await anonymous.request("/v2/regions/uri/tags/list")).status).toBe(404);
    const withToken = anonymous.withAuthorization(
      `Basic ${token.authorizationData?.[0]?.authorizationToken}`,
    );
    expect((await withToken.request("/v2/regions/uri/tags/list")).status).toBe(200);
  });
});

describe("data recorded before regions existed", () => {
  let dataDir = "";
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "berth-regions-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const start = async () => {
    const running = await startEmbedded(dataDir);
    const client = (region: string) => localEcrClient(running.endpoint, { region });
    return { running, client };
  };

  it("reads events keyed by the bare account as the default region's after a restart", {
    timeout: 60_000,
  }, async () => {
    // The default region writes exactly what Berth wrote before regions: streams keyed by the account.
    const first = await start();
    await first.client("us-east-1").send(new CreateRepositoryCommand({ repositoryName: "old/app" }));
    await first.client("eu-west-1").send(new CreateRepositoryCommand({ repositoryName: "new/app" }));
    await first.running.stop();

    const second = await start();
    try {
      expect(await namesIn(second.client("us-east-1"))).toEqual(["old/app"]);
      expect(await namesIn(second.client("eu-west-1"))).toEqual(["new/app"]);
      const old = await second.client("us-east-1").send(new DescribeRepositoriesCommand({}));
      expect(old.repositories?.[0]?.repositoryArn).toBe(
        `arn:aws:ecr:us-east-1:${TEST_REGISTRY_ID}:repository/old/app`,
      );
    } finally {
      await second.running.stop();
    }
  });
});
