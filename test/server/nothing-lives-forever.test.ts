/**
 * Issue 10's "done when", whole, on one server: `berth serve --upload-ttl 3s --lifecycle-interval 2s
 * --gc-grace 2s` (embedded storage, through `@aws-sdk/client-ecr`). An upload left for 5 s answers
 * UploadNotFoundException; a policy that keeps the newest 2 of 5 tagged images leaves exactly those
 * 2 within a few seconds; the preview named the same 3; the expired images' layer bytes are gone
 * from the data directory afterwards, and the kept images' are not.
 */
import {
  CreateRepositoryCommand,
  type ECRClient,
  GetLifecyclePolicyPreviewCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { blobFile, eventually, exists } from "../support/embedded-data-dir.js";
import { type BuiltImage, bytesOf, expectEcrError, pushImage } from "./ecr-helpers.js";

const repositoryName = "team/releases";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const keepNewestTwo = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: "keep the newest 2 releases",
      selection: {
        tagStatus: "tagged",
        tagPrefixList: ["v"],
        countType: "imageCountMoreThan",
        countNumber: 2,
      },
      action: { type: "expire" },
    },
  ],
});

describe("berth serve --upload-ttl 3s --lifecycle-interval 2s --gc-grace 2s (embedded storage)", () => {
  let berth: RunningBerth;
  let client: ECRClient;
  let dataDir = "";

  beforeAll(async () => {
    berth = await startBerth({
      storage: "embedded",
      uploadTtl: 3000,
      gcGrace: 2000,
      lifecycleInterval: 2000,
    });
    dataDir = berth.dataDir;
    client = berth.client();
    await client.send(new CreateRepositoryCommand({ repositoryName }));
  }, 60_000);
  afterAll(() => berth?.stop());

  it("an upload left for 5 s answers UploadNotFoundException", async () => {
    const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName }));
    await sleep(5000);
    const refused = await expectEcrError(
      client.send(
        new UploadLayerPartCommand({
          repositoryName,
          uploadId,
          partFirstByte: 0,
          partLastByte: 0,
          layerPartBlob: new Uint8Array(1),
        }),
      ),
      "UploadNotFoundException",
    );
    expect(refused.message).toMatch(/expired/);
  }, 30_000);

  it("keeps the newest 2 of 5, the 3 the preview named go, and their layer bytes leave the disk", async () => {
    const images: BuiltImage[] = [];
    for (let i = 1; i <= 5; i++) {
      const layer = bytesOf(32 * 1024, 10 + i);
      images.push(await pushImage(client, repositoryName, { tag: `v${i}`, layers: [layer], note: `v${i}` }));
      await sleep(5); // distinct push times: the policy keeps the newest by push time
    }
    const layerFiles = images.map((image) => blobFile(dataDir, image.layerDigests[0]!));
    for (const file of layerFiles) expect(await exists(file)).toBe(true);

    await client.send(
      new StartLifecyclePolicyPreviewCommand({ repositoryName, lifecyclePolicyText: keepNewestTwo }),
    );
    const preview = await client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName }));
    const named = (preview.previewResults ?? []).map((result) => result.imageDigest).sort();
    const expired = images.slice(0, 3).map((image) => image.digest);
    const kept = images.slice(3).map((image) => image.digest);
    expect(named).toEqual([...expired].sort());

    await client.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: keepNewestTwo }));
    const listed = async () =>
      ((await client.send(new ListImagesCommand({ repositoryName }))).imageIds ?? [])
        .map((id) => id.imageDigest)
        .sort();
    expect(await eventually(async () => (await listed()).length === 2, 20_000)).toBe(true);
    expect(await listed()).toEqual([...kept].sort());

    // Expired, then collected after the grace: the bytes of v1–v3's layers leave the data directory.
    const gone = async () => (await Promise.all(layerFiles.slice(0, 3).map(exists))).every((e) => !e);
    expect(await eventually(gone, 20_000)).toBe(true);
    for (const file of layerFiles.slice(3)) expect(await exists(file)).toBe(true);
  }, 90_000);
});
