/**
 * `berth serve` writes snapshots of its state beside the data (`--snapshot-every`), and a restart
 * answers the same from one as from the whole log; a corrupt snapshot file is ignored. Runs the real
 * `serve()` on embedded storage and the real ECR SDK.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
} from "@aws-sdk/client-ecr";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmbedded } from "../support/berth-server.js";
import { eventually, exists } from "../support/embedded-data-dir.js";
import { bytesOf, pushImage } from "./ecr-helpers.js";

/** An embedded server writing a snapshot after every event (within 100 ms), and what it answers. */
async function startWithSnapshots(dataDir: string) {
  const { client, stop } = await startEmbedded(dataDir, { snapshotEvery: 1, snapshotInterval: 100 });
  const answers = async () => ({
    // Without the URI: it names this start's port.
    repositories: (await client.send(new DescribeRepositoriesCommand({}))).repositories?.map(
      ({ repositoryUri: _, ...repository }) => repository,
    ),
    images: await Promise.all(
      ["team/a", "team/b"].map(
        async (repositoryName) =>
          (await client.send(new DescribeImagesCommand({ repositoryName }))).imageDetails,
      ),
    ),
  });
  return { client, answers, stop };
}

describe("berth serve: state snapshots", () => {
  let dataDir = "";
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "berth-snapshots-"));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it("a restart answers the same from the snapshot, and from the log when the snapshot is corrupt", {
    timeout: 180_000,
  }, async () => {
    const snapshot = join(dataDir, "snapshots", "state");
    const first = await startWithSnapshots(dataDir);
    for (const repositoryName of ["team/a", "team/b"])
      await first.client.send(new CreateRepositoryCommand({ repositoryName }));
    await pushImage(first.client, "team/a", { tag: "v1", layers: [bytesOf(1000, 1)] });
    await pushImage(first.client, "team/b", { tag: "v2", layers: [bytesOf(2000, 2)] });
    const before = await first.answers();
    expect(await eventually(() => exists(snapshot), 10_000)).toBe(true);
    await first.stop();

    const second = await startWithSnapshots(dataDir);
    try {
      expect(await second.answers()).toEqual(before);
      await second.client.send(new CreateRepositoryCommand({ repositoryName: "team/c" }));
    } finally {
      await second.stop();
    }

    const bytes = await readFile(snapshot);
    const middle = bytes.length >> 1;
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x20;
    await writeFile(snapshot, bytes);
    const third = await startWithSnapshots(dataDir);
    try {
      const after = await third.answers();
      expect(after.repositories?.map((repository) => repository.repositoryName)).toEqual([
        "team/a",
        "team/b",
        "team/c",
      ]);
      expect(after.images).toEqual(before.images);
    } finally {
      await third.stop();
    }
  });
});
