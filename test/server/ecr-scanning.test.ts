/**
 * Image scanning and account settings end to end, through the real `@aws-sdk/client-ecr` against a
 * Berth started as `berth serve` starts it: the CI gate (scan on push, findings from
 * `--scan-findings`, DescribeImageScanFindings once the scan is COMPLETE), the scan quota, the
 * scanning configuration, account settings, and a /v2 cross-repository mount with BLOB_MOUNTING
 * DISABLED falling back to an upload session. Memory and PostgreSQL storage.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchGetRepositoryScanningConfigurationCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  type DescribeImageScanFindingsCommandOutput,
  DescribeImagesCommand,
  type ECRClient,
  GetAccountSettingCommand,
  GetRegistryScanningConfigurationCommand,
  PutAccountSettingCommand,
  PutImageScanningConfigurationCommand,
  PutRegistryScanningConfigurationCommand,
  StartImageScanCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BerthStorage,
  type RunningBerth,
  startBerth,
  TEST_REGISTRY_ID,
} from "../support/berth-server.js";
import { ociClient, pushBlob } from "../support/oci-client.js";
import { bytesOf, configBlob, expectEcrError, imageManifest, pushImage } from "./ecr-helpers.js";

const STORAGES: ReadonlyArray<BerthStorage> = ["memory", "postgres"];

/** The image the CI gate pushes, built ahead so the findings file can name its digest. */
const GATED_NOTE = "ci-gate";
const gated = imageManifest(configBlob(GATED_NOTE), [], GATED_NOTE);
const FINDINGS = Array.from({ length: 5 }, (_, i) => ({
  name: `CVE-2024-000${i}`,
  description: `finding ${i}`,
  uri: `https://cve.example/CVE-2024-000${i}`,
  severity: i === 0 ? "CRITICAL" : i < 3 ? "HIGH" : "LOW",
  attributes: [{ key: "package_name", value: `pkg-${i}` }],
}));

/** Polls DescribeImageScanFindings until the scan is no longer IN_PROGRESS (bounded: 20 s). */
const scanFinished = async (client: ECRClient, repositoryName: string, imageTag: string) => {
  const deadline = Date.now() + 20_000;
  for (;;) {
    // The push's scan is recorded with the push itself: never "not found" once the push answered.
    const answer = await client.send(
      new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageTag } }),
    );
    if (answer.imageScanStatus?.status !== "IN_PROGRESS") return answer;
    if (Date.now() > deadline) throw new Error("the scan stayed IN_PROGRESS for 20 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe.each(STORAGES)("scanning and account settings through @aws-sdk/client-ecr (%s)", (storage) => {
  let berth: RunningBerth;
  let client: ECRClient;

  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), "berth-findings-"));
    const findingsFile = join(directory, "findings.json");
    writeFileSync(findingsFile, JSON.stringify({ [gated.digest]: FINDINGS }));
    berth = await startBerth({ storage, scanFindings: findingsFile });
    client = berth.client();
  });
  afterAll(() => berth?.stop());

  it("the CI gate: scan on push finds what the findings file says, paged, counted, summarized", async () => {
    await client.send(
      new CreateRepositoryCommand({
        repositoryName: "gate/app",
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    await pushImage(client, "gate/app", { tag: "v1", note: GATED_NOTE });
    const first = await scanFinished(client, "gate/app", "v1");
    expect(first.imageScanStatus).toEqual({
      status: "COMPLETE",
      description: "The scan was completed successfully.",
    });
    expect(first.imageId).toEqual({ imageDigest: gated.digest, imageTag: "v1" });
    expect(first.imageScanFindings?.findingSeverityCounts).toEqual({ CRITICAL: 1, HIGH: 2, LOW: 2 });
    expect(first.imageScanFindings?.imageScanCompletedAt).toBeInstanceOf(Date);
    expect(
      Math.abs(Date.now() - (first.imageScanFindings?.imageScanCompletedAt?.getTime() ?? 0)),
    ).toBeLessThan(60_000);

    const pages: DescribeImageScanFindingsCommandOutput[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeImageScanFindingsCommand({
          repositoryName: "gate/app",
          imageId: { imageDigest: gated.digest },
          maxResults: 2,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      );
      pages.push(page);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(pages).toHaveLength(3);
    expect(pages.flatMap((page) => page.imageScanFindings?.findings ?? [])).toEqual(FINDINGS);

    const described = await client.send(new DescribeImagesCommand({ repositoryName: "gate/app" }));
    expect(described.imageDetails?.[0]?.imageScanStatus?.status).toBe("COMPLETE");
    expect(described.imageDetails?.[0]?.imageScanFindingsSummary?.findingSeverityCounts).toEqual({
      CRITICAL: 1,
      HIGH: 2,
      LOW: 2,
    });

    // Scan on push counts against the quota of one scan per image per 24 hours.
    const quota = await expectEcrError(
      client.send(new StartImageScanCommand({ repositoryName: "gate/app", imageId: { imageTag: "v1" } })),
      "LimitExceededException",
    );
    expect(quota.message).toBe("The scan quota per image has been exceeded. Wait and try again.");
  });

  it("StartImageScan on an image never scanned: ScanNotFoundException before, COMPLETE after", async () => {
    await client.send(new CreateRepositoryCommand({ repositoryName: "manual/app" }));
    const image = await pushImage(client, "manual/app", { tag: "v1", note: "manual" });
    const notFound = await expectEcrError(
      client.send(
        new DescribeImageScanFindingsCommand({ repositoryName: "manual/app", imageId: { imageTag: "v1" } }),
      ),
      "ScanNotFoundException",
    );
    expect(notFound.message).toBe(
      `Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v1'}' in the repository with name 'manual/app' in the registry with id '${TEST_REGISTRY_ID}'`,
    );
    const started = await client.send(
      new StartImageScanCommand({ repositoryName: "manual/app", imageId: { imageTag: "v1" } }),
    );
    expect(started).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "manual/app",
      imageId: { imageDigest: image.digest, imageTag: "v1" },
      imageScanStatus: { status: "IN_PROGRESS" },
    });
    const finished = await scanFinished(client, "manual/app", "v1");
    expect(finished.imageScanStatus?.status).toBe("COMPLETE");
    expect(finished.imageScanFindings?.findings).toEqual([]);
    expect(finished.imageScanFindings?.findingSeverityCounts).toEqual({});
  });

  it("registry and repository scanning configuration, and the scanning each repository really gets", async () => {
    await client.send(new CreateRepositoryCommand({ repositoryName: "config/pushed" }));
    await client.send(
      new PutImageScanningConfigurationCommand({
        repositoryName: "config/pushed",
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    await client.send(new CreateRepositoryCommand({ repositoryName: "ruled/app" }));
    await expectEcrError(
      client.send(
        new PutRegistryScanningConfigurationCommand({
          scanType: "BASIC",
          rules: [
            {
              scanFrequency: "CONTINUOUS_SCAN",
              repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }],
            },
          ],
        }),
      ),
      "InvalidParameterException",
    );
    const rules = [
      {
        scanFrequency: "SCAN_ON_PUSH" as const,
        repositoryFilters: [{ filter: "ruled/*", filterType: "WILDCARD" as const }],
      },
    ];
    const put = await client.send(new PutRegistryScanningConfigurationCommand({ scanType: "BASIC", rules }));
    expect(put.registryScanningConfiguration).toEqual({ scanType: "BASIC", rules });
    const got = await client.send(new GetRegistryScanningConfigurationCommand({}));
    expect(got).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      scanningConfiguration: { scanType: "BASIC", rules },
    });

    const batch = await client.send(
      new BatchGetRepositoryScanningConfigurationCommand({
        repositoryNames: ["config/pushed", "ruled/app", "manual/app", "no/such"],
      }),
    );
    expect(batch.scanningConfigurations).toEqual([
      {
        repositoryArn: `arn:aws:ecr:us-east-1:${TEST_REGISTRY_ID}:repository/config/pushed`,
        repositoryName: "config/pushed",
        scanOnPush: true,
        scanFrequency: "SCAN_ON_PUSH",
        appliedScanFilters: [],
      },
      expect.objectContaining({
        repositoryName: "ruled/app",
        scanOnPush: true,
        appliedScanFilters: rules[0]?.repositoryFilters,
      }),
      expect.objectContaining({ repositoryName: "manual/app", scanOnPush: false, scanFrequency: "MANUAL" }),
    ]);
    expect(batch.failures).toEqual([
      expect.objectContaining({ repositoryName: "no/such", failureCode: "REPOSITORY_NOT_FOUND" }),
    ]);

    // A push into a repository a rule matches is scanned on push.
    await pushImage(client, "ruled/app", { tag: "v1", note: "ruled" });
    expect((await scanFinished(client, "ruled/app", "v1")).imageScanStatus?.status).toBe("COMPLETE");
    await client.send(new PutRegistryScanningConfigurationCommand({ scanType: "BASIC", rules: [] }));
  });

  it("account settings: defaults, a change, refusals; BLOB_MOUNTING DISABLED turns a /v2 mount into an upload session", async () => {
    const setting = async (name: string) => (await client.send(new GetAccountSettingCommand({ name }))).value;
    expect(await setting("BASIC_SCAN_TYPE_VERSION")).toBe("AWS_NATIVE");
    expect(await setting("REGISTRY_POLICY_SCOPE")).toBe("V2");
    expect(await setting("BLOB_MOUNTING")).toBe("ENABLED");
    await expectEcrError(
      client.send(new GetAccountSettingCommand({ name: "NOPE" })),
      "InvalidParameterException",
    );
    await expectEcrError(
      client.send(new PutAccountSettingCommand({ name: "BLOB_MOUNTING", value: "SOMETIMES" })),
      "InvalidParameterException",
    );

    const v2 = ociClient(berth.endpoint);
    await client.send(new CreateRepositoryCommand({ repositoryName: "mount/source" }));
    await client.send(new CreateRepositoryCommand({ repositoryName: "mount/target" }));
    const digest = await pushBlob(v2, "mount/source", bytesOf(64, 7));
    const mount = () =>
      v2.request(`/v2/mount/target/blobs/uploads/?mount=${digest}&from=mount/source`, { method: "POST" });

    const put = await client.send(new PutAccountSettingCommand({ name: "BLOB_MOUNTING", value: "DISABLED" }));
    expect(put).toMatchObject({ name: "BLOB_MOUNTING", value: "DISABLED" });
    const refused = await mount();
    expect(refused.status).toBe(202);
    expect(refused.headers.get("location")).toMatch(/^\/v2\/mount\/target\/blobs\/uploads\/[0-9a-f-]{36}$/);
    expect((await v2.request(`/v2/mount/target/blobs/${digest}`, { method: "HEAD" })).status).toBe(404);

    await client.send(new PutAccountSettingCommand({ name: "BLOB_MOUNTING", value: "ENABLED" }));
    const mounted = await mount();
    expect(mounted.status).toBe(201);
    expect((await v2.request(`/v2/mount/target/blobs/${digest}`, { method: "HEAD" })).status).toBe(200);
  });
});
