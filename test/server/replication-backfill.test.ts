/**
 * Replication backfill through `@aws-sdk/client-ecr`: images skopeo pushed into account A before
 * PutReplicationConfiguration are not replicated until StartReplicationBackfill; after it they are
 * in A's eu-west-1 registry with the same digests and tags, and ListReplicationBackfills and
 * DescribeReplicationBackfillResults answer in the SDK's shapes. Also: the backfill codecs' members
 * and required members are the SDK's own schemas' (botocore's model here predates these operations).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sdk from "@aws-sdk/client-ecr";
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeReplicationBackfillResultsCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  ListReplicationBackfillsCommand,
  PutReplicationConfigurationCommand,
  StartReplicationBackfillCommand,
  StopReplicationBackfillCommand,
} from "@aws-sdk/client-ecr";
import { EcrRequests } from "@berth/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { buildImage, writeLayout } from "../support/oci-layout.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";
import { expectEcrError } from "./ecr-helpers.js";

const A = "111111111111";
const repositoryName = "team/app";
const destination = { region: "eu-west-1", registryId: A };

const loginOf = async (ecr: ECRClient) => {
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  return Buffer.from(authorizationData?.[0]?.authorizationToken ?? "", "base64").toString("utf8");
};

const tagsIn = async (ecr: ECRClient, imageTags: ReadonlyArray<string>) => {
  const got = await ecr.send(
    new BatchGetImageCommand({ repositoryName, imageIds: imageTags.map((imageTag) => ({ imageTag })) }),
  );
  return (got.images ?? [])
    .map((i) => i.imageId)
    .sort((x, y) => String(x?.imageTag).localeCompare(String(y?.imageTag)));
};

describe("replication backfill", () => {
  let dataDir: string;
  let berth: RunningBerth;
  let skopeo: Skopeo;
  const images = [
    buildImage({ seed: "backfill-1", layerCount: 1 }),
    buildImage({ seed: "backfill-2", layerCount: 2 }),
  ];

  beforeAll(async () => {
    await requireSkopeo();
    skopeo = await createSkopeo();
    dataDir = await mkdtemp(join(tmpdir(), "berth-backfill-"));
    berth = await startBerth({ storage: "embedded", dataDir, credentials: `AKIDA:secret-a:${A}` });
  });
  afterAll(async () => {
    await berth?.stop();
    await skopeo?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  const source = () => berth.client({ credentials: { accessKeyId: "AKIDA", secretAccessKey: "secret-a" } });
  const target = () =>
    berth.client({ region: "eu-west-1", credentials: { accessKeyId: "AKIDA", secretAccessKey: "secret-a" } });

  it("the backfill codecs have the SDK schemas' members and required members", () => {
    for (const operation of [
      "StartReplicationBackfill",
      "StopReplicationBackfill",
      "ListReplicationBackfills",
      "DescribeReplicationBackfillResults",
    ] as const) {
      // An SDK structure schema: [3, namespace, name, traits, members, member schemas, required count].
      const schema = (sdk as unknown as Record<string, unknown[]>)[`${operation}Request$`];
      const names = schema?.[4] as string[];
      const required = names.slice(0, (schema?.[6] as number | undefined) ?? 0);
      const constraints = EcrRequests[operation].constraints;
      if (constraints.kind !== "structure") throw new Error(`${operation} is not a structure`);
      expect(Object.keys(constraints.members).sort()).toEqual([...names].sort());
      expect([...constraints.required].sort()).toEqual(required.sort());
    }
  });

  it("images pushed before the configuration are replicated only by a backfill", async () => {
    const a = source();
    await a.send(new CreateRepositoryCommand({ repositoryName }));
    const creds = await loginOf(a);
    for (const [i, image] of images.entries()) {
      const layout = await skopeo.scratch(`backfill-src-${i}`);
      await writeLayout(layout, [{ name: `v${i + 1}`, image }]);
      const ref = dockerRef(berth.port, `${repositoryName}:v${i + 1}`);
      await skopeo([
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
        "--dest-creds",
        creds,
        `oci:${layout}:v${i + 1}`,
        ref,
      ]);
    }
    await a.send(
      new PutReplicationConfigurationCommand({
        replicationConfiguration: { rules: [{ destinations: [destination] }] },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expectEcrError(
      target().send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "v1" }] })),
      "RepositoryNotFoundException",
    );
    expect((await a.send(new ListReplicationBackfillsCommand({}))).backfills).toEqual([]);

    const started = await a.send(new StartReplicationBackfillCommand({ destination }));
    expect(started).toMatchObject({ registryId: A, destination, status: "PREPARING" });
    expect(started.startedAt).toBeInstanceOf(Date);
    const replicationBackfillId = started.replicationBackfillId ?? "";
    await expectEcrError(
      a.send(new StartReplicationBackfillCommand({ destination: { region: "ap-south-1", registryId: A } })),
      "InvalidParameterException",
    );

    let described: sdk.DescribeReplicationBackfillResultsCommandOutput | undefined;
    for (let i = 0; i < 200; i++) {
      described = await a.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId }));
      if (described.status === "COMPLETE") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(described).toMatchObject({
      registryId: A,
      replicationBackfillId,
      destination,
      status: "COMPLETE",
      progress: {
        totalReplicationCount: 2,
        completedReplicationCount: 2,
        failedReplicationCount: 0,
        failureCodes: [],
      },
    });
    expect(
      described?.results?.map((r) => [r.repositoryName, r.imageId?.imageDigest, r.status]).sort(),
    ).toEqual(images.map((image) => [repositoryName, image.manifestDigest, "COMPLETE"]).sort());
    expect(await tagsIn(target(), ["v1", "v2"])).toEqual(
      images.map((image, i) => ({ imageDigest: image.manifestDigest, imageTag: `v${i + 1}` })),
    );

    const page = await a.send(
      new DescribeReplicationBackfillResultsCommand({ replicationBackfillId, maxResults: 1 }),
    );
    expect(page.results).toHaveLength(1);
    const rest = await a.send(
      new DescribeReplicationBackfillResultsCommand({
        replicationBackfillId,
        maxResults: 1,
        nextToken: page.nextToken,
      }),
    );
    expect(rest.results).toHaveLength(1);
    expect(rest.nextToken).toBeUndefined();
    const failedOnly = await a.send(
      new DescribeReplicationBackfillResultsCommand({ replicationBackfillId, resultStatusFilter: "FAILED" }),
    );
    expect(failedOnly.results).toEqual([]);

    const listed = await a.send(new ListReplicationBackfillsCommand({}));
    expect(listed.registryId).toBe(A);
    expect(listed.backfills).toEqual([
      expect.objectContaining({
        replicationBackfillId,
        destination,
        status: "COMPLETE",
        startedAt: started.startedAt,
      }),
    ]);
  });

  it("StopReplicationBackfill: a finished backfill cannot be stopped; an unknown one is not found", async () => {
    const a = source();
    const [backfill] = (await a.send(new ListReplicationBackfillsCommand({}))).backfills ?? [];
    await expectEcrError(
      a.send(
        new StopReplicationBackfillCommand({ replicationBackfillId: backfill?.replicationBackfillId ?? "" }),
      ),
      "ReplicationBackfillInvalidStatusException",
    );
    await expectEcrError(
      a.send(new StopReplicationBackfillCommand({ replicationBackfillId: "no-such-backfill" })),
      "ReplicationBackfillNotFoundException",
    );
    await expectEcrError(
      a.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: "no-such-backfill" })),
      "ReplicationBackfillNotFoundException",
    );
    // Everything is replicated now: a new backfill starts no round and completes at once.
    const again = await a.send(new StartReplicationBackfillCommand({ destination }));
    const described = await a.send(
      new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: again.replicationBackfillId }),
    );
    expect(described).toMatchObject({
      status: "COMPLETE",
      progress: { totalReplicationCount: 0 },
      results: [],
    });
  });
});
