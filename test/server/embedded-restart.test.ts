/**
 * `--storage embedded` keeps the registry across restarts: events in SQLite under the data
 * directory, layer bytes in files beside it. Runs the real `serve()` and the real ECR SDK.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmbedded } from "../support/berth-server.js";
import { bytesOf, MiB, OCI_MANIFEST, pushImage, sha256 } from "./ecr-helpers.js";

const repositoryName = "team/app";

describe("berth serve --storage embedded", () => {
  let dataDir = "";
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "berth-embedded-"));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it("serves the same repositories, images and layer bytes after a restart", {
    timeout: 180_000,
  }, async () => {
    const layer = bytesOf(300_000, 7);
    const first = await startEmbedded(dataDir);
    await first.client.send(new CreateRepositoryCommand({ repositoryName }));
    const image = await pushImage(first.client, repositoryName, { tag: "v1", layers: [layer] });
    const described = await first.client.send(new DescribeImagesCommand({ repositoryName }));
    // An upload left halfway: its first part now, the rest after the restart.
    const halfway = bytesOf(5 * MiB + 4321, 9);
    const { uploadId } = await first.client.send(new InitiateLayerUploadCommand({ repositoryName }));
    const partOf = (client: ECRClient, first: number, last: number) =>
      client.send(
        new UploadLayerPartCommand({
          repositoryName,
          uploadId,
          partFirstByte: first,
          partLastByte: last,
          layerPartBlob: halfway.subarray(first, last + 1),
        }),
      );
    await partOf(first.client, 0, 5 * MiB - 1);
    await expect(startEmbedded(dataDir)).rejects.toThrow(/in use .*process \d+.*--data-dir/);
    await first.stop();

    const second = await startEmbedded(dataDir);
    try {
      const repositories = await second.client.send(new DescribeRepositoriesCommand({}));
      expect(repositories.repositories?.map((repository) => repository.repositoryName)).toEqual([
        repositoryName,
      ]);
      const describedAgain = await second.client.send(new DescribeImagesCommand({ repositoryName }));
      expect(describedAgain.imageDetails).toEqual(described.imageDetails);
      expect(describedAgain.imageDetails?.[0]).toMatchObject({
        imageDigest: image.digest,
        imageTags: ["v1"],
      });

      const got = await second.client.send(
        new BatchGetImageCommand({
          repositoryName,
          imageIds: [{ imageTag: "v1" }],
          acceptedMediaTypes: [OCI_MANIFEST],
        }),
      );
      expect(got.images?.[0]?.imageManifest).toBe(image.manifest);

      const layerDigest = image.layerDigests[0] ?? "";
      const { downloadUrl } = await second.client.send(
        new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest }),
      );
      const download = await fetch(downloadUrl ?? "");
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(layer))).toBe(true);

      // The upload resumes: its running hash is rebuilt from the bytes on disk.
      await partOf(second.client, 5 * MiB, halfway.length - 1);
      const completed = await second.client.send(
        new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(halfway)] }),
      );
      expect(completed.layerDigest).toBe(sha256(halfway));
      const availability = await second.client.send(
        new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [sha256(halfway)] }),
      );
      expect(availability.layers?.[0]).toMatchObject({
        layerAvailability: "AVAILABLE",
        layerSize: halfway.length,
      });

      // The log goes on where it stopped: a new push lands beside the old image.
      await pushImage(second.client, repositoryName, {
        tag: "v2",
        layers: [bytesOf(1000, 8)],
        note: "second",
      });
      const listed = await second.client.send(new ListImagesCommand({ repositoryName }));
      expect(listed.imageIds?.map((id) => id.imageTag).sort()).toEqual(["v1", "v2"]);
    } finally {
      await second.stop();
    }
  });

  it("takes over the lock a crashed process left behind", { timeout: 120_000 }, async () => {
    await writeFile(join(dataDir, "berth.lock"), "2147483646\n"); // a pid no process can have
    const server = await startEmbedded(dataDir);
    await server.client.send(new CreateRepositoryCommand({ repositoryName }));
    await server.stop();
  });
});
