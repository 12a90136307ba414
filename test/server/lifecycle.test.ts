/**
 * Lifecycle policies through the real `@aws-sdk/client-ecr`: the five operations and their errors,
 * a preview that names what an application then expires, the server applying policies on its own
 * (`--lifecycle-interval 2s`), and `berth lifecycle apply` on the storage a running server uses.
 */
import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  type ECRClient,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  ListImagesCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
} from "@aws-sdk/client-ecr";
import { lifecycleApply, parseDuration } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { expectEcrError, pushImage } from "./ecr-helpers.js";

/** Keeps the newest `n` images tagged `v…`. */
const keepNewest = (n: number) =>
  JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `keep the newest ${n} releases`,
        selection: {
          tagStatus: "tagged",
          tagPrefixList: ["v"],
          countType: "imageCountMoreThan",
          countNumber: n,
        },
        action: { type: "expire" },
      },
    ],
  });

/** Pushes v1…v5 (oldest first), a few milliseconds apart so their push times differ. */
const pushFive = async (client: ECRClient, repositoryName: string) => {
  await client.send(new CreateRepositoryCommand({ repositoryName }));
  const digests: string[] = [];
  for (let i = 1; i <= 5; i++) {
    digests.push(
      (await pushImage(client, repositoryName, { tag: `v${i}`, note: `${repositoryName} ${i}` })).digest,
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return digests;
};

const listed = async (client: ECRClient, repositoryName: string) =>
  ((await client.send(new ListImagesCommand({ repositoryName }))).imageIds ?? [])
    .map((id) => id.imageDigest)
    .sort();

describe("lifecycle policies over the ECR API", () => {
  let berth: RunningBerth;
  let client: ECRClient;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    client = berth.client();
  });
  afterAll(() => berth.stop());

  it("puts, gets and deletes a policy; a missing one is LifecyclePolicyNotFoundException", async () => {
    const repositoryName = "lifecycle/crud";
    await client.send(new CreateRepositoryCommand({ repositoryName }));
    await expectEcrError(
      client.send(new GetLifecyclePolicyCommand({ repositoryName })),
      "LifecyclePolicyNotFoundException",
    );
    const put = await client.send(
      new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: keepNewest(2) }),
    );
    expect(put).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryName,
      lifecyclePolicyText: keepNewest(2),
    });
    const got = await client.send(new GetLifecyclePolicyCommand({ repositoryName }));
    expect(got.lifecyclePolicyText).toBe(keepNewest(2));
    expect(got.lastEvaluatedAt).toBeInstanceOf(Date);
    const deleted = await client.send(new DeleteLifecyclePolicyCommand({ repositoryName }));
    expect(deleted.lifecyclePolicyText).toBe(keepNewest(2));
    await expectEcrError(
      client.send(new DeleteLifecyclePolicyCommand({ repositoryName })),
      "LifecyclePolicyNotFoundException",
    );
    await expectEcrError(
      client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName })),
      "LifecyclePolicyPreviewNotFoundException",
    );
    await expectEcrError(
      client.send(
        new PutLifecyclePolicyCommand({
          repositoryName: "lifecycle/none",
          lifecyclePolicyText: keepNewest(2),
        }),
      ),
      "RepositoryNotFoundException",
    );
  });

  it("refuses invalid policies with ECR's messages, and text outside 100–30,720 characters", async () => {
    const repositoryName = "lifecycle/invalid";
    await client.send(new CreateRepositoryCommand({ repositoryName }));
    const invalid = keepNewest(0);
    const error = await expectEcrError(
      client.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: invalid })),
      "InvalidParameterException",
    );
    expect(error.message).toBe(
      "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: numeric instance is lower than the required minimum (minimum: 1, found: 0)'",
    );
    const short = await expectEcrError(
      client.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: '{"rules":[]}' })),
      "InvalidParameterException",
    );
    expect(short.message).toContain("Member must have length greater than or equal to 100");
  });

  it("previews synchronously: COMPLETE, the oldest three named, paged and filtered", async () => {
    const repositoryName = "lifecycle/preview";
    const digests = await pushFive(client, repositoryName);
    const started = await client.send(
      new StartLifecyclePolicyPreviewCommand({ repositoryName, lifecyclePolicyText: keepNewest(2) }),
    );
    expect(started).toMatchObject({ status: "COMPLETE", lifecyclePolicyText: keepNewest(2) });
    const first = await client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName, maxResults: 2 }));
    expect(first.status).toBe("COMPLETE");
    expect(first.summary).toEqual({ expiringImageTotalCount: 3 });
    const second = await client.send(
      new GetLifecyclePolicyPreviewCommand({ repositoryName, maxResults: 2, nextToken: first.nextToken }),
    );
    expect(second.nextToken).toBeUndefined();
    const results = [...(first.previewResults ?? []), ...(second.previewResults ?? [])];
    expect(results.map((r) => [r.imageDigest, r.imageTags, r.appliedRulePriority, r.action?.type])).toEqual([
      [digests[0], ["v1"], 1, "EXPIRE"],
      [digests[1], ["v2"], 1, "EXPIRE"],
      [digests[2], ["v3"], 1, "EXPIRE"],
    ]);
    expect(results[0]?.imagePushedAt).toBeInstanceOf(Date);
    const untagged = await client.send(
      new GetLifecyclePolicyPreviewCommand({ repositoryName, filter: { tagStatus: "UNTAGGED" } }),
    );
    expect(untagged.previewResults).toEqual([]);
    // The preview ran a policy the repository does not have: nothing was applied.
    expect(await listed(client, repositoryName)).toEqual([...digests].sort());
  });
});

describe("--lifecycle-interval durations", () => {
  it("reads ms, s, m, h and d, and refuses anything else", () => {
    expect(["500ms", "2s", "1.5m", "24h", "7d"].map(parseDuration)).toEqual([
      500, 2000, 90_000, 86_400_000, 604_800_000,
    ]);
    expect(["", "24", "h", "-1s", "1w", "1h 30m"].map(parseDuration)).toEqual(Array(6).fill(undefined));
  });
});

describe("lifecycle policies applied by the server (--lifecycle-interval 2s)", () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory", lifecycleInterval: parseDuration("2s")! });
  });
  afterAll(() => berth.stop());

  it("keeps the newest 2 of 5 within seconds: exactly the 3 the preview named go", async () => {
    const client = berth.client();
    const repositoryName = "lifecycle/scheduled";
    const digests = await pushFive(client, repositoryName);
    await client.send(
      new StartLifecyclePolicyPreviewCommand({ repositoryName, lifecyclePolicyText: keepNewest(2) }),
    );
    const preview = await client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName }));
    const named = (preview.previewResults ?? []).map((r) => r.imageDigest);
    expect(named).toEqual(digests.slice(0, 3));

    await client.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: keepNewest(2) }));
    const deadline = Date.now() + 20_000;
    while ((await listed(client, repositoryName)).length > 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await listed(client, repositoryName)).toEqual(digests.slice(3).sort());
    const policy = await client.send(new GetLifecyclePolicyCommand({ repositoryName }));
    expect(policy.lastEvaluatedAt!.getTime()).toBeGreaterThan(0);
  }, 30_000);
});

describe("berth lifecycle apply, on the storage a running server uses (PostgreSQL)", () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await startBerth({ storage: "postgres" });
  });
  afterAll(() => berth.stop());

  it("expires what the policy marks, prints it, and the server sees it; a second run expires nothing", async () => {
    const client = berth.client();
    const repositoryName = "lifecycle/cli";
    const digests = await pushFive(client, repositoryName);
    await client.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: keepNewest(2) }));
    const options = {
      registryId: TEST_REGISTRY_ID,
      storage: "postgres" as const,
      databaseUrl: berth.database!.connectionString,
      databaseSchema: berth.database!.schema,
      dataDir: berth.dataDir,
      repository: repositoryName,
    };
    const report = await lifecycleApply(options);
    for (const [i, digest] of digests.slice(0, 3).entries()) {
      expect(report).toContain(`expired ${repositoryName}@${digest} (v${i + 1}) by rule 1`);
    }
    expect(report).toMatch(/3 images expired$/);
    expect(await listed(client, repositoryName)).toEqual(digests.slice(3).sort());
    expect(await lifecycleApply(options)).toBe("0 images expired");
    await expect(lifecycleApply({ ...options, repository: "lifecycle/none" })).rejects.toThrow(
      /RepositoryNotFoundException/,
    );
  }, 60_000);
});
