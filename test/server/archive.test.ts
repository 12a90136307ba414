/**
 * Pull times and the archive storage class through the real `@aws-sdk/client-ecr` and `/v2`: a pull
 * (BatchGetImage, a manifest GET, not a HEAD) sets lastRecordedPullTime; UpdateImageStorageClass to
 * ARCHIVE keeps the image listed under filter ARCHIVED but refuses its pulls, on both APIs, until it
 * is restored; a lifecycle `transition` rule archives.
 */
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutLifecyclePolicyCommand,
  UpdateImageStorageClassCommand,
} from "@aws-sdk/client-ecr";
import { PULL_RECORD_DELAY_MS } from "@berth/engine";
import { parseDuration } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { expectEcrError, OCI_MANIFEST, pushImage } from "./ecr-helpers.js";

/** Polls `read` until `done` holds of its value (or 10 s pass), and answers the last value read. */
const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
  const deadline = Date.now() + 10_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
};

/** Long enough for a pull's record, were one due, to be gathered, written and folded. */
const RECORD_WRITTEN_MS = PULL_RECORD_DELAY_MS + 500;

const describeOne = async (client: ECRClient, repositoryName: string, imageDigest: string) =>
  (await client.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest }] })))
    .imageDetails?.[0];

describe("pull times and the archive storage class over the ECR API and /v2", () => {
  let berth: RunningBerth;
  let client: ECRClient;
  let authorization: string;
  const manifestUrl = (repositoryName: string, reference: string) =>
    `${berth.endpoint}/v2/${repositoryName}/manifests/${reference}`;
  const v2 = (method: "GET" | "HEAD", url: string) =>
    fetch(url, { method, headers: { authorization, accept: OCI_MANIFEST } });

  beforeAll(async () => {
    berth = await startBerth({ storage: "memory", lifecycleInterval: parseDuration("1s")! });
    client = berth.client();
    const token = await client.send(new GetAuthorizationTokenCommand({}));
    authorization = `Basic ${token.authorizationData![0]!.authorizationToken!}`;
  });
  afterAll(() => berth.stop());

  it("a BatchGetImage pull sets lastRecordedPullTime; a /v2 HEAD does not, a /v2 GET does", async () => {
    const repositoryName = "archive/pulls";
    await client.send(new CreateRepositoryCommand({ repositoryName }));
    const ecrPulled = await pushImage(client, repositoryName, { tag: "ecr", note: "pulled with the SDK" });
    const ociPulled = await pushImage(client, repositoryName, { tag: "oci", note: "pulled over /v2" });
    expect(
      (await describeOne(client, repositoryName, ecrPulled.digest))?.lastRecordedPullTime,
    ).toBeUndefined();

    const before = Date.now() - 1000;
    const got = await client.send(
      new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "ecr" }] }),
    );
    expect(got.images).toHaveLength(1);
    const detail = await eventually(
      () => describeOne(client, repositoryName, ecrPulled.digest),
      (d) => d?.lastRecordedPullTime !== undefined,
    );
    expect(detail?.imageStatus).toBe("ACTIVE");
    expect(detail?.lastRecordedPullTime?.getTime()).toBeGreaterThanOrEqual(before);
    expect(detail?.lastRecordedPullTime?.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    expect((await v2("HEAD", manifestUrl(repositoryName, "oci"))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, RECORD_WRITTEN_MS));
    expect(
      (await describeOne(client, repositoryName, ociPulled.digest))?.lastRecordedPullTime,
    ).toBeUndefined();
    const get = await v2("GET", manifestUrl(repositoryName, "oci"));
    expect(get.status).toBe(200);
    await get.arrayBuffer();
    const pulled = await eventually(
      () => describeOne(client, repositoryName, ociPulled.digest),
      (d) => d?.lastRecordedPullTime !== undefined,
    );
    expect(pulled?.lastRecordedPullTime).toBeInstanceOf(Date);

    // A second pull the same day records nothing new.
    const first = pulled!.lastRecordedPullTime!.getTime();
    await (await v2("GET", manifestUrl(repositoryName, "oci"))).arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, RECORD_WRITTEN_MS));
    expect(
      (await describeOne(client, repositoryName, ociPulled.digest))?.lastRecordedPullTime?.getTime(),
    ).toBe(first);
  });

  it("an archived image is listed under ARCHIVED, refused by BatchGetImage and /v2, and pullable once restored", async () => {
    const repositoryName = "archive/manual";
    await client.send(new CreateRepositoryCommand({ repositoryName }));
    const image = await pushImage(client, repositoryName, { tag: "old", note: "to archive" });
    const kept = await pushImage(client, repositoryName, { tag: "new", note: "stays active" });

    const archived = await client.send(
      new UpdateImageStorageClassCommand({
        repositoryName,
        imageId: { imageTag: "old" },
        targetStorageClass: "ARCHIVE",
      }),
    );
    expect(archived).toMatchObject({
      repositoryName,
      imageId: { imageDigest: image.digest, imageTag: "old" },
      imageStatus: "ARCHIVED",
    });

    const active = await client.send(new DescribeImagesCommand({ repositoryName }));
    expect(active.imageDetails?.map((d) => d.imageDigest)).toEqual([kept.digest]);
    const listedArchived = await client.send(
      new DescribeImagesCommand({ repositoryName, filter: { imageStatus: "ARCHIVED" } }),
    );
    expect(listedArchived.imageDetails).toHaveLength(1);
    expect(listedArchived.imageDetails?.[0]).toMatchObject({
      imageDigest: image.digest,
      imageStatus: "ARCHIVED",
    });
    expect(listedArchived.imageDetails?.[0]?.lastArchivedAt).toBeInstanceOf(Date);
    const ids = await client.send(new ListImagesCommand({ repositoryName, filter: { imageStatus: "ANY" } }));
    expect(ids.imageIds?.map((id) => id.imageDigest).sort()).toEqual([image.digest, kept.digest].sort());

    const got = await client.send(
      new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "old" }] }),
    );
    expect(got.images).toEqual([]);
    expect(got.failures?.[0]).toMatchObject({ failureCode: "ImageInaccessible" });
    expect(got.failures?.[0]?.failureReason).toMatch(/archived/);
    const refused = await v2("GET", manifestUrl(repositoryName, image.digest));
    expect(refused.status).toBe(404);
    const body = (await refused.json()) as { errors: Array<{ code: string; message: string }> };
    expect(body.errors[0]).toMatchObject({
      code: "MANIFEST_UNKNOWN",
      message: expect.stringMatching(/archived/),
    });

    const restored = await client.send(
      new UpdateImageStorageClassCommand({
        repositoryName,
        imageId: { imageDigest: image.digest },
        targetStorageClass: "STANDARD",
      }),
    );
    expect(restored.imageStatus).toBe("ACTIVE");
    const detail = await describeOne(client, repositoryName, image.digest);
    expect(detail?.imageStatus).toBe("ACTIVE");
    expect(detail?.lastActivatedAt).toBeInstanceOf(Date);
    const again = await v2("GET", manifestUrl(repositoryName, "old"));
    expect(again.status).toBe(200);
    await again.arrayBuffer();

    await expectEcrError(
      client.send(
        new UpdateImageStorageClassCommand({
          repositoryName,
          imageId: { imageTag: "missing" },
          targetStorageClass: "ARCHIVE",
        }),
      ),
      "ImageNotFoundException",
    );
  });

  it("a lifecycle transition rule archives: the image stays listed under ARCHIVED and cannot be pulled", async () => {
    const repositoryName = "archive/lifecycle";
    await client.send(new CreateRepositoryCommand({ repositoryName }));
    const old = await pushImage(client, repositoryName, { tag: "v1", note: "archived by rule" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newest = await pushImage(client, repositoryName, { tag: "v2", note: "kept" });
    const lifecyclePolicyText = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: "archive all but the newest release",
          selection: {
            tagStatus: "tagged",
            tagPrefixList: ["v"],
            countType: "imageCountMoreThan",
            countNumber: 1,
          },
          action: { type: "transition", targetStorageClass: "archive" },
        },
      ],
    });
    await client.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText }));
    const archived = await eventually(
      () => client.send(new DescribeImagesCommand({ repositoryName, filter: { imageStatus: "ARCHIVED" } })),
      (answer) => (answer.imageDetails ?? []).length > 0,
    );
    expect(archived.imageDetails?.map((d) => d.imageDigest)).toEqual([old.digest]);
    const active = await client.send(new DescribeImagesCommand({ repositoryName }));
    expect(active.imageDetails?.map((d) => d.imageDigest)).toEqual([newest.digest]);
    expect((await v2("GET", manifestUrl(repositoryName, "v1"))).status).toBe(404);
  }, 30_000);
});
