/**
 * Replication between two accounts of one Berth, through `@aws-sdk/client-ecr` and skopeo: account
 * A replicates `team/*` to account B, whose registry policy allows it; skopeo pushes into A; B's
 * repository then holds the same manifest digest and tag (BatchGetImage, and a `/v2` pull with B's
 * login), and so does B's registry in eu-west-1 (whose own policy allows it); statuses are COMPLETE,
 * FAILED for an account without such a policy. A restart after replication copies nothing twice.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImageReplicationStatusCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  PutRegistryPolicyCommand,
  PutReplicationConfigurationCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { buildImage, readLayout, writeLayout } from "../support/oci-layout.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";
import { expectEcrError } from "./ecr-helpers.js";

const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const CREDENTIALS = `AKIDA:secret-a:${A},AKIDB:secret-b:${B},AKIDC:secret-c:${C}`;
const repositoryName = "team/app";

const allowA = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "ReplicationFromA",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${A}:root` },
      Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
      Resource: `arn:aws:ecr:us-east-1:${B}:repository/*`,
    },
  ],
});

const clients = (berth: RunningBerth) => ({
  a: berth.client({ credentials: { accessKeyId: "AKIDA", secretAccessKey: "secret-a" } }),
  b: berth.client({ credentials: { accessKeyId: "AKIDB", secretAccessKey: "secret-b" } }),
  c: berth.client({ credentials: { accessKeyId: "AKIDC", secretAccessKey: "secret-c" } }),
});

const loginOf = async (ecr: ECRClient) => {
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  return Buffer.from(authorizationData?.[0]?.authorizationToken ?? "", "base64").toString("utf8");
};

const statusesOf = (ecr: ECRClient, imageTag: string) =>
  ecr.send(new DescribeImageReplicationStatusCommand({ repositoryName, imageId: { imageTag } }));

/** Waits until no destination of the image is IN_PROGRESS. */
const settled = async (ecr: ECRClient, imageTag: string) => {
  for (let i = 0; i < 200; i++) {
    const answer = await statusesOf(ecr, imageTag);
    const statuses = answer.replicationStatuses ?? [];
    if (statuses.length > 0 && statuses.every((s) => s.status !== "IN_PROGRESS")) return statuses;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("replication did not settle");
};

describe("replication between two accounts of one Berth", () => {
  let dataDir: string;
  let berth: RunningBerth;
  let skopeo: Skopeo;
  let image: ReturnType<typeof buildImage>;

  beforeAll(async () => {
    await requireSkopeo();
    skopeo = await createSkopeo();
    dataDir = await mkdtemp(join(tmpdir(), "berth-replication-"));
    berth = await startBerth({ storage: "embedded", dataDir, credentials: CREDENTIALS });
    image = buildImage({ seed: "replication", layerCount: 2 });
  });
  afterAll(async () => {
    await berth?.stop();
    await skopeo?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("PutReplicationConfiguration answers and DescribeRegistry shows the configuration; limits refuse", async () => {
    const { a } = clients(berth);
    expect((await a.send(new DescribeRegistryCommand({}))).replicationConfiguration).toEqual({ rules: [] });
    const replicationConfiguration = {
      rules: [
        {
          destinations: [
            { region: "us-east-1", registryId: B },
            { region: "eu-west-1", registryId: B },
            { region: "us-east-1", registryId: C },
          ],
          repositoryFilters: [{ filter: "team", filterType: "PREFIX_MATCH" as const }],
        },
      ],
    };
    const put = await a.send(new PutReplicationConfigurationCommand({ replicationConfiguration }));
    expect(put.replicationConfiguration).toEqual(replicationConfiguration);
    const described = await a.send(new DescribeRegistryCommand({}));
    expect(described).toMatchObject({ registryId: A, replicationConfiguration });
    const self = { rules: [{ destinations: [{ region: "us-east-1", registryId: A }] }] };
    await expectEcrError(
      a.send(new PutReplicationConfigurationCommand({ replicationConfiguration: self })),
      "InvalidParameterException",
    );
    // Broken model constraints are refused in ECR's validation wording, as every Berth request is.
    const tooMany = { rules: Array(11).fill({ destinations: [{ region: "us-east-1", registryId: B }] }) };
    const refused = await expectEcrError(
      a.send(new PutReplicationConfigurationCommand({ replicationConfiguration: tooMany })),
      "InvalidParameterException",
    );
    expect(refused.message).toMatch(/replicationConfiguration\.rules/);
  });

  it("a skopeo push into A lands in B with the same digest and tag; and in B's eu-west-1 registry; C (no policy) fails", async () => {
    const { a, b, c } = clients(berth);
    await b.send(new PutRegistryPolicyCommand({ policyText: allowA }));
    // A region's registry has policies of its own: B allows A in eu-west-1 too.
    const bEu = berth.client({
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIDB", secretAccessKey: "secret-b" },
    });
    await bEu.send(new PutRegistryPolicyCommand({ policyText: allowA.replace("us-east-1", "eu-west-1") }));
    await a.send(new CreateRepositoryCommand({ repositoryName }));
    const layout = await skopeo.scratch("replication-src");
    await writeLayout(layout, [{ name: "v1", image }]);
    const ref = dockerRef(berth.port, `${repositoryName}:v1`);
    await skopeo([
      "copy",
      "--quiet",
      "--dest-tls-verify=false",
      "--dest-creds",
      await loginOf(a),
      `oci:${layout}:v1`,
      ref,
    ]);

    const statuses = await settled(a, "v1");
    expect(statuses.map(({ region, registryId, status }) => [region, registryId, status])).toEqual([
      ["us-east-1", B, "COMPLETE"],
      ["eu-west-1", B, "COMPLETE"],
      ["us-east-1", C, "FAILED"],
    ]);
    expect(statuses[2]?.failureCode).toMatch(/^REPLICATION_NOT_ALLOWED/);

    for (const client of [b, bEu]) {
      const got = await client.send(
        new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "v1" }] }),
      );
      expect(got.images?.map((i) => i.imageId)).toEqual([
        { imageDigest: image.manifestDigest, imageTag: "v1" },
      ]);
    }
    const out = await skopeo.scratch("replication-out");
    await skopeo([
      "copy",
      "--quiet",
      "--src-tls-verify=false",
      "--src-creds",
      await loginOf(b),
      ref,
      `oci:${out}:v1`,
    ]);
    expect((await readLayout(out, "v1")).descriptor.digest).toBe(image.manifestDigest);
    await expectEcrError(
      c.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] })),
      "RepositoryNotFoundException",
    );
  });

  it("after a restart the images are there once, and nothing is replicated or recorded again", async () => {
    await berth.stop();
    berth = await startBerth({ storage: "embedded", dataDir, credentials: CREDENTIALS });
    const { a, b } = clients(berth);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const statuses = await statusesOf(a, "v1");
    expect(statuses.replicationStatuses?.map((s) => s.status)).toEqual(["COMPLETE", "COMPLETE", "FAILED"]);
    const images = await b.send(new DescribeImagesCommand({ repositoryName }));
    expect(images.imageDetails?.map((d) => [d.imageDigest, d.imageTags])).toEqual([
      [image.manifestDigest, ["v1"]],
    ]);
  });
});
