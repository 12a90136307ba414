/**
 * Replication backfill through `createRegistry`: a process that dies while a backfill is PREPARING
 * leaves it recorded in the log; the next process's replication worker finishes its preparation
 * and copies its images, once.
 */
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { type ImageTag, type RegistryId, type RepositoryName, sha256Hex, utf8Encode } from "@berth/core";
import { createRegistry, type EventStore, type EventToAppend } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";

const repositoryName = "team/app" as RepositoryName;
const SOURCE = "000000000000" as RegistryId;
const SOURCE_EU = "000000000000/eu-west-1" as RegistryId;
const destination = { region: "eu-west-1", registryId: SOURCE };

const right = <A>(either: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(either)) throw new Error(either.left.message);
  return either.right;
};
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: `sha256:${sha256Hex(utf8Encode("{}"))}`,
    size: 2,
  },
  layers: [],
});

describe("replication backfill", () => {
  it("a backfill a dying process left PREPARING is prepared and copied by the next process's worker", async () => {
    const events = createMemoryEventStore();
    const blobs = createMemoryBlobStore();
    // The store refuses the backfill's rounds, as a process killed while preparing never appends them.
    const failing: EventStore = Object.create(events, {
      appendToStream: {
        value: (stream: string, batch: ReadonlyArray<EventToAppend>, expected?: never) =>
          batch.some((e) => e.type === "ImageReplicationStarted")
            ? Promise.reject(new Error("killed"))
            : events.appendToStream(stream, batch, expected),
      },
      appendIfLogAt: { value: undefined },
    });
    const dying = createRegistry({ events: failing, blobs });
    right(await dying.putRegistrySettings({ lenient: true }));
    right(await dying.createRepository({ repositoryName } as never));
    right(await dying.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" as ImageTag }));
    right(
      await dying.putReplicationConfiguration({
        replicationConfiguration: { rules: [{ destinations: [destination] }] },
      }),
    );
    await expect(dying.startReplicationBackfill({ destination })).rejects.toThrow("killed");

    const next = createRegistry({ events, blobs });
    const [left] = right(await next.listReplicationBackfills({})).backfills;
    expect(left?.status).toBe("PREPARING");
    const controller = new AbortController();
    const worker = next.runReplicationWorker({ signal: controller.signal });
    let status: string | undefined;
    for (let i = 0; i < 200 && status !== "COMPLETE"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = right(await next.listReplicationBackfills({})).backfills[0]?.status;
    }
    controller.abort();
    await worker;
    const answer = right(
      await next.describeReplicationBackfillResults({
        replicationBackfillId: left?.replicationBackfillId ?? "",
      }),
    );
    expect(answer).toMatchObject({
      status: "COMPLETE",
      progress: { totalReplicationCount: 1, completedReplicationCount: 1 },
    });
    const copied = right(await next.describeImages({ registryId: SOURCE_EU, repositoryName } as never));
    expect(copied.imageDetails.map((d) => d.imageTags)).toEqual([["v1"]]);
  });
});
