/**
 * Issue 10's "done when", through the real `@aws-sdk/client-ecr` and `/v2`, on embedded storage:
 * `berth serve --upload-ttl 3s --gc-grace 2s`. An upload left for 5 s answers
 * UploadNotFoundException (and BLOB_UPLOAD_UNKNOWN over /v2), its bytes gone from the data
 * directory; a deleted image's layer bytes leave the data directory within seconds, with no restart.
 */
import { access, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchDeleteImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  ECRClient,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { collectGarbage, serve } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { bytesOf, expectEcrError, MiB, pushImage, sha256 } from "./ecr-helpers.js";

const repositoryName = "team/app";
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
const uploadFiles = (dataDir: string) => readdir(join(dataDir, "blobs", "uploads")).catch(() => []);

/** Polls `check` until it holds (every 100 ms, up to `ms`); returns whether it did. */
const eventually = async (check: () => Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
};

describe("berth serve --upload-ttl 3s --gc-grace 2s (embedded storage)", () => {
  let dataDir = "";
  let stop: () => Promise<void> = async () => {};
  let client: ECRClient;
  let endpoint = "";

  // One server for the file: PGlite takes seconds to start on a busy machine.
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "berth-expiry-"));
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
    });
    endpoint = `http://127.0.0.1:${running.port}`;
    client = new ECRClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    stop = async () => {
      client.destroy();
      await running.stop();
    };
    await client.send(new CreateRepositoryCommand({ repositoryName }));
  });
  afterAll(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("an upload left for 5 s answers UploadNotFoundException, and its bytes leave the data directory", async () => {
    const part = bytesOf(MiB, 1);
    const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName }));
    await client.send(
      new UploadLayerPartCommand({
        repositoryName,
        uploadId,
        partFirstByte: 0,
        partLastByte: part.length - 1,
        layerPartBlob: part,
      }),
    );
    expect(await uploadFiles(dataDir)).toContain(uploadId);
    await sleep(5000);

    const more = await expectEcrError(
      client.send(
        new UploadLayerPartCommand({
          repositoryName,
          uploadId,
          partFirstByte: part.length,
          partLastByte: part.length,
          layerPartBlob: new Uint8Array(1),
        }),
      ),
      "UploadNotFoundException",
    );
    expect(more.message).toMatch(/expired/);
    const complete = await expectEcrError(
      client.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(part)] })),
      "UploadNotFoundException",
    );
    expect(complete.message).toMatch(/expired/);
    const patched = await fetch(`${endpoint}/v2/${repositoryName}/blobs/uploads/${uploadId}`, {
      method: "PATCH",
      body: new Uint8Array(1),
    });
    expect(patched.status).toBe(404);
    expect(((await patched.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe(
      "BLOB_UPLOAD_UNKNOWN",
    );
    expect(await uploadFiles(dataDir)).not.toContain(uploadId);
  }, 30_000);

  it("a deleted image's layer bytes are gone from the data directory within seconds", async () => {
    const layer = bytesOf(64 * 1024, 2);
    const kept = bytesOf(64 * 1024, 3);
    const image = await pushImage(client, repositoryName, { tag: "gone", layers: [layer], note: "gone" });
    await pushImage(client, repositoryName, { tag: "kept", layers: [kept], note: "kept" });
    const layerFile = blobFile(dataDir, sha256(layer));
    expect(await exists(layerFile)).toBe(true);

    await client.send(new BatchDeleteImageCommand({ repositoryName, imageIds: [{ imageTag: "gone" }] }));
    expect(await eventually(async () => !(await exists(layerFile)), 15_000)).toBe(true);
    expect(await exists(blobFile(dataDir, sha256(kept)))).toBe(true);
    // The collected layer is no longer the repository's: pushing the image again is refused.
    await expectEcrError(
      client.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: "again" })),
      "LayersNotFoundException",
    );
  }, 40_000);
});

describe("berth gc [--dry-run] beside a running server (PostgreSQL)", () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await startBerth({ storage: "postgres" }); // the default grace: an hour
  });
  afterAll(() => berth?.stop());

  it("names what it would reclaim, then reclaims it; the server then refuses the image again", async () => {
    const client = berth.client();
    await client.send(new CreateRepositoryCommand({ repositoryName }));
    const layer = bytesOf(32 * 1024, 4);
    const image = await pushImage(client, repositoryName, { tag: "old", layers: [layer], note: "old" });
    await client.send(new BatchDeleteImageCommand({ repositoryName, imageIds: [{ imageTag: "old" }] }));
    const database = berth.database!;
    const gc = async (dryRun: boolean) => {
      const lines: string[] = [];
      await collectGarbage(
        {
          dryRun,
          gcGrace: 1,
          storage: "postgres",
          databaseUrl: database.connectionString,
          databaseSchema: database.schema,
          dataDir: tmpdir(),
        },
        (line) => lines.push(line),
      );
      return lines;
    };
    const config = JSON.parse(image.manifest).config as { digest: string; size: number };
    const expected = [
      `${sha256(layer)} ${layer.length} bytes`,
      `${config.digest} ${config.size} bytes`,
    ].sort();
    const dry = await gc(true);
    expect(
      dry
        .slice(0, -1)
        .map((line) => line.replace(/^would delete /, ""))
        .sort(),
    ).toEqual(expected);
    expect(dry.at(-1)).toBe(`2 blobs, ${layer.length + config.size} bytes would be reclaimed`);
    const real = await gc(false);
    expect(
      real
        .filter((line) => line.startsWith("deleted "))
        .map((line) => line.slice(8))
        .sort(),
    ).toEqual(expected);
    expect(await gc(true)).toEqual(["0 blobs, 0 bytes would be reclaimed"]);
    await expectEcrError(
      client.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: "again" })),
      "LayersNotFoundException",
    );
  }, 60_000);
});
