/**
 * Issue 10's "done when", whole, on one server: `berth serve --upload-ttl 3s --lifecycle-interval 2s
 * --gc-grace 2s` (embedded storage, through `@aws-sdk/client-ecr`). An upload left for 5 s answers
 * UploadNotFoundException; a policy that keeps the newest 2 of 5 tagged images leaves exactly those
 * 2 within a few seconds; the preview named the same 3; the expired images' layer bytes are gone
 * from the data directory afterwards, and the kept images' are not.
 */
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateRepositoryCommand,
  ECRClient,
  GetLifecyclePolicyPreviewCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { serve } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltImage, bytesOf, expectEcrError, pushImage, sha256 } from "./ecr-helpers.js";

const repositoryName = "team/releases";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
/** Where the filesystem blob store keeps a blob of the embedded storage. */
const blobFile = (dataDir: string, digest: string) => {
  const hex = digest.slice("sha256:".length);
  return join(dataDir, "blobs", "blobs", "sha256", hex.slice(0, 2), hex);
};
/** Polls `check` every 100 ms until it holds or `ms` pass; answers whether it held. */
const eventually = async (check: () => Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
};

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
  let dataDir = "";
  let client: ECRClient;
  let stop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "berth-forever-"));
    const running = await serve({
      host: "127.0.0.1",
      port: 0,
      region: "us-east-1",
      registryId: "000000000000",
      storage: "embedded",
      dataDir,
      logLevel: "silent",
      lenient: false,
      uploadTtl: 3000,
      gcGrace: 2000,
      lifecycleInterval: 2000,
    });
    client = new ECRClient({
      endpoint: `http://127.0.0.1:${running.port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    stop = async () => {
      client.destroy();
      await running.stop();
    };
    await client.send(new CreateRepositoryCommand({ repositoryName }));
  }, 60_000);
  afterAll(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });

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
    expect(sha256(bytesOf(32 * 1024, 14))).toBe(images[3]!.layerDigests[0]);
  }, 90_000);
});
