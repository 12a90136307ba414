/**
 * `berth migrate-data`: a data directory written by Berth before SQLite (PGlite in pgdata/, blobs in
 * files) is refused by `berth serve` with the command to run; after that command the SQLite log holds
 * every event at its position, in its stream at its version, and the server serves the same images
 * and layer bytes, and goes on writing after them. Real PGlite, real serve(), real ECR SDK.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  GetDownloadUrlForLayerCommand,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
import { openSqliteEventStore } from "@berth/adapter-sqlite";
import { RepositoryName } from "@berth/core";
import { createRegistry, type EventStore, type RecordedEvent } from "@berth/engine";
import { migrateData } from "@berth/server";
import { branded, expectRight, pushImageBlobs } from "@berth/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbedded } from "../support/berth-server.js";
import { openPgliteDataDir } from "../support/pglite-data-dir.js";
import { sha256 } from "./ecr-helpers.js";

const readWholeLog = async (events: EventStore): Promise<RecordedEvent[]> => {
  const all: RecordedEvent[] = [];
  for (;;) {
    const batch = await events.readAll({ after: all.at(-1)?.globalPosition ?? 0n });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
};

describe("berth migrate-data: PGlite data directories into SQLite", () => {
  const repositoryName = branded(RepositoryName, "team/app");
  let dataDir = "";
  let before: RecordedEvent[] = [];
  let pushed: Awaited<ReturnType<typeof pushImageBlobs>>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "berth-migrate-"));
    const legacy = await openPgliteDataDir(dataDir);
    try {
      const registry = createRegistry({ events: legacy.events, blobs: legacy.blobs });
      expectRight(await registry.createRepository({ repositoryName }));
      pushed = await pushImageBlobs(registry, repositoryName, { layerCount: 2 });
      expectRight(
        await registry.putImage({
          repositoryName,
          imageManifest: pushed.manifest.manifest,
          imageTag: "v1" as never,
        }),
      );
      before = await readWholeLog(legacy.events);
    } finally {
      await legacy.close();
    }
  }, 120_000);
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("berth serve refuses the directory and names the command that migrates it", async () => {
    await expect(startEmbedded(dataDir)).rejects.toThrow(
      `run \`berth migrate-data --data-dir ${dataDir}\` once to copy it into berth.sqlite`,
    );
    expect(await readdir(dataDir)).not.toContain("berth.sqlite");
  });

  it("copies every event at its position, version and time, and moves pgdata aside", async () => {
    const printed: string[] = [];
    await migrateData({ dataDir }, (line) => printed.push(line));
    expect(printed[0]).toContain(`copied ${before.length} events`);
    expect((await readdir(dataDir)).sort()).toEqual(["berth.sqlite", "blobs", "pgdata.migrated"]);
    const events = await openSqliteEventStore({ path: join(dataDir, "berth.sqlite") });
    try {
      expect(await readWholeLog(events)).toEqual(before);
    } finally {
      await events.close();
    }
    const again: string[] = [];
    await migrateData({ dataDir }, (line) => again.push(line));
    expect(again).toEqual([`${dataDir} has no pgdata: nothing to migrate`]);
  }, 120_000);

  it("serves the same images and layer bytes afterwards, and appends after the copied log", async () => {
    const server = await startEmbedded(dataDir);
    try {
      const described = await server.client.send(new DescribeImagesCommand({ repositoryName }));
      expect(described.imageDetails?.map((image) => [image.imageDigest, image.imageTags])).toEqual([
        [pushed.manifest.digest, ["v1"]],
      ]);
      const got = await server.client.send(
        new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "v1" }] }),
      );
      expect(got.images?.[0]?.imageManifest).toBe(pushed.manifest.manifest);
      for (const blob of [pushed.config, ...pushed.layers]) {
        const { downloadUrl } = await server.client.send(
          new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: blob.digest }),
        );
        const download = await fetch(downloadUrl ?? "");
        expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(blob.digest);
      }
      await server.client.send(
        new PutImageCommand({ repositoryName, imageManifest: pushed.manifest.manifest, imageTag: "v2" }),
      );
    } finally {
      await server.stop();
    }
    const events = await openSqliteEventStore({ path: join(dataDir, "berth.sqlite") });
    try {
      const after = await readWholeLog(events);
      expect(after.slice(0, before.length)).toEqual(before);
      const added = after.slice(before.length);
      expect(added.map((event) => event.type)).toContain("ImageTagged");
      expect(added[0]?.globalPosition).toBe(before.at(-1)!.globalPosition + 1n);
    } finally {
      await events.close();
    }
  }, 120_000);
});
