/**
 * Issue 10's "done when", through the real `@aws-sdk/client-ecr` and `/v2`, on embedded storage:
 * `berth serve --upload-ttl 3s --gc-grace 2s`. An upload left for 5 s answers
 * UploadNotFoundException (and BLOB_UPLOAD_UNKNOWN over /v2), its bytes gone from the data
 * directory; a deleted image's layer bytes leave the data directory within seconds, with no restart.
 */
import {
  BatchDeleteImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  type ECRClient,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { collectGarbage } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { blobFile, eventually, exists, uploadFiles } from "../support/embedded-data-dir.js";
import { bytesOf, expectEcrError, MiB, pushImage, sha256 } from "./ecr-helpers.js";

const repositoryName = "team/app";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("berth serve --upload-ttl 3s --gc-grace 2s (embedded storage)", () => {
  let berth: RunningBerth;
  let client: ECRClient;
  let dataDir = "";
  let endpoint = "";

  // One server for the file.
  beforeAll(async () => {
    berth = await startBerth({ storage: "embedded", uploadTtl: 3000, gcGrace: 2000 });
    ({ dataDir, endpoint } = berth);
    client = berth.client();
    await client.send(new CreateRepositoryCommand({ repositoryName }));
  });
  afterAll(() => berth?.stop());

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
          dataDir: berth.dataDir, // the server's blobs: files in <dataDir>/blobs
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
