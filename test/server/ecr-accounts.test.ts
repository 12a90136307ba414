/**
 * Many accounts in local mode and ECR-style repository URIs (issue 11, items 5 and 8), through
 * `@aws-sdk/client-ecr`: without credentials a request naming a registryId acts in that account;
 * with credentials each key acts for its own; `--repository-uri-style aws` answers ECR's hosts.
 */
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { expectEcrError, OCI_INDEX } from "./ecr-helpers.js";

const OTHER = "111111111111";
const EMPTY_INDEX = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });

describe("local mode: a request naming a registryId acts in that account", () => {
  let berth: RunningBerth;
  let ecr: ECRClient;

  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    ecr = berth.client();
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("creates, describes, fills, tags and deletes a repository in another account", async () => {
    const repositoryName = "accounts/app";
    const created = await ecr.send(new CreateRepositoryCommand({ registryId: OTHER, repositoryName }));
    expect(created.repository).toMatchObject({
      registryId: OTHER,
      repositoryArn: `arn:aws:ecr:us-east-1:${OTHER}:repository/${repositoryName}`,
    });
    // The default account does not hold it; the other account does, and may reuse the name.
    await expectEcrError(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] })),
      "RepositoryNotFoundException",
    );
    const described = await ecr.send(
      new DescribeRepositoriesCommand({ registryId: OTHER, repositoryNames: [repositoryName] }),
    );
    expect(described.repositories?.map((r) => r.registryId)).toEqual([OTHER]);
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));

    const put = await ecr.send(
      new PutImageCommand({ registryId: OTHER, repositoryName, imageManifest: EMPTY_INDEX, imageTag: "v1" }),
    );
    expect(put.image?.registryId).toBe(OTHER);
    const images = await ecr.send(new DescribeImagesCommand({ registryId: OTHER, repositoryName }));
    expect(images.imageDetails?.map((d) => d.imageTags)).toEqual([["v1"]]);
    expect((await ecr.send(new DescribeImagesCommand({ repositoryName }))).imageDetails).toEqual([]);

    const resourceArn = `arn:aws:ecr:us-east-1:${OTHER}:repository/${repositoryName}`;
    await ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: "team", Value: "a" }] }));
    expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([
      { Key: "team", Value: "a" },
    ]);
    await ecr.send(new DeleteRepositoryCommand({ registryId: OTHER, repositoryName, force: true }));
    expect(
      (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] })))
        .repositories?.[0]?.registryId,
    ).toBe(TEST_REGISTRY_ID);
  });

  it("GetAuthorizationToken answers a token per named registry", async () => {
    const answer = await ecr.send(
      new GetAuthorizationTokenCommand({ registryIds: [OTHER, TEST_REGISTRY_ID] }),
    );
    expect(answer.authorizationData).toHaveLength(2);
  });
});

describe("with credentials: each key acts for its own account", () => {
  let berth: RunningBerth;

  beforeAll(async () => {
    berth = await startBerth({ storage: "memory", credentials: `AKIDA:secret-a:${OTHER},AKIDB:secret-b` });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("a key's requests land in its account; naming another is AccessDeniedException", async () => {
    const a = berth.client({ credentials: { accessKeyId: "AKIDA", secretAccessKey: "secret-a" } });
    const b = berth.client({ credentials: { accessKeyId: "AKIDB", secretAccessKey: "secret-b" } });
    const created = await a.send(new CreateRepositoryCommand({ repositoryName: "keys/app" }));
    expect(created.repository?.registryId).toBe(OTHER);
    expect((await b.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
    await expectEcrError(
      b.send(new CreateRepositoryCommand({ registryId: OTHER, repositoryName: "keys/intruder" })),
      "AccessDeniedException",
    );
  });
});

describe("--repository-uri-style", () => {
  let host: RunningBerth;
  let aws: RunningBerth;

  beforeAll(async () => {
    host = await startBerth({ storage: "memory" });
    aws = await startBerth({ storage: "memory", region: "eu-west-1", repositoryUriStyle: "aws" });
  });
  afterAll(async () => {
    await host?.stop();
    await aws?.stop();
  });

  it("host (the default): the reachable host, for docker and skopeo", async () => {
    const ecr = host.client();
    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: "uri/app" }));
    expect(created.repository?.repositoryUri).toBe(`localhost:${host.port}/uri/app`);
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    expect(token.authorizationData?.[0]?.proxyEndpoint).toBe(`http://127.0.0.1:${host.port}`);
  });

  it("aws: <account>.dkr.ecr.<region>.amazonaws.com, in every account", async () => {
    const ecr = aws.client({ region: "eu-west-1" });
    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: "uri/app" }));
    expect(created.repository?.repositoryUri).toBe(
      `${TEST_REGISTRY_ID}.dkr.ecr.eu-west-1.amazonaws.com/uri/app`,
    );
    const other = await ecr.send(
      new CreateRepositoryCommand({ registryId: OTHER, repositoryName: "uri/app" }),
    );
    expect(other.repository?.repositoryUri).toBe(`${OTHER}.dkr.ecr.eu-west-1.amazonaws.com/uri/app`);
    const token = await ecr.send(
      new GetAuthorizationTokenCommand({ registryIds: [TEST_REGISTRY_ID, OTHER] }),
    );
    expect(token.authorizationData?.map((data) => data.proxyEndpoint)).toEqual([
      `https://${TEST_REGISTRY_ID}.dkr.ecr.eu-west-1.amazonaws.com`,
      `https://${OTHER}.dkr.ecr.eu-west-1.amazonaws.com`,
    ]);
  });
});
