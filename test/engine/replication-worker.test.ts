/**
 * The replication worker: rounds live in the log, so a registry that restarts (a new process on the
 * same store) finishes the rounds another left in progress, once; a second pass copies nothing and
 * records nothing; a copy into another region's registry of the same account needs no policy, one
 * into an account whose registry (of that region) does not allow the source ends FAILED.
 */
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { type ImageTag, type RegistryId, type RepositoryName, sha256Hex, utf8Encode } from "@berth/core";
import { createRegistry, type EventStore, type EventToAppend, type Registry } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";

const repositoryName = "team/app" as RepositoryName;
const SOURCE = "000000000000" as RegistryId;
const TARGET = "222222222222" as RegistryId;
const DENIED = "333333333333" as RegistryId;
/** Account TARGET's registry in eu-west-1 (a region's registry has policies of its own). */
const TARGET_EU = "222222222222/eu-west-1" as RegistryId;
const SOURCE_EU = "000000000000/eu-west-1" as RegistryId;

const right = <A>(either: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(either)) throw new Error(either.left.message);
  return either.right;
};

const allowPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${SOURCE}:root` },
      Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
      Resource: `arn:aws:ecr:us-east-1:${TARGET}:repository/*`,
    },
  ],
});

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

const configure = async (registry: Registry) => {
  right(await registry.putRegistrySettings({ lenient: true }));
  right(await registry.putRegistryPolicy({ registryId: TARGET, policyText: allowPolicy } as never));
  right(await registry.putRegistryPolicy({ registryId: TARGET_EU, policyText: allowPolicy } as never));
  right(
    await registry.putReplicationConfiguration({
      replicationConfiguration: {
        rules: [
          {
            destinations: [
              { region: "us-east-1", registryId: TARGET },
              { region: "eu-west-1", registryId: TARGET },
              { region: "us-east-1", registryId: DENIED },
              { region: "eu-west-1", registryId: SOURCE },
            ],
            repositoryFilters: [{ filter: "team", filterType: "PREFIX_MATCH" }],
          },
        ],
      },
    }),
  );
  right(await registry.createRepository({ repositoryName } as never));
  right(await registry.createRepository({ repositoryName: "other/app" as RepositoryName } as never));
};

const statuses = async (registry: Registry, name = repositoryName) =>
  right(
    await registry.describeImageReplicationStatus({
      repositoryName: name,
      imageId: { imageTag: "v1" as ImageTag },
    }),
  ).replicationStatuses;

describe("the replication worker", () => {
  it("finishes after a restart the rounds a stopped registry left in progress, once", async () => {
    const events = createMemoryEventStore();
    const blobs = createMemoryBlobStore();
    const before = createRegistry({ events, blobs });
    await configure(before);
    right(await before.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" as ImageTag }));
    right(
      await before.putImage({
        repositoryName: "other/app" as RepositoryName,
        imageManifest: manifest,
        imageTag: "v1" as ImageTag,
      }),
    );
    expect((await statuses(before)).map((s) => s.status)).toEqual(Array(4).fill("IN_PROGRESS"));
    expect(await statuses(before, "other/app" as RepositoryName)).toEqual([]);

    const after = createRegistry({ events, blobs });
    expect(await after.runPendingReplications()).toBe(4);
    expect(await after.runPendingReplications()).toBe(0);
    const ended = await statuses(after);
    expect(ended[0]).toEqual({ region: "us-east-1", registryId: TARGET, status: "COMPLETE" });
    expect(ended[1]).toEqual({ region: "eu-west-1", registryId: TARGET, status: "COMPLETE" });
    // Within one account (another region) no policy is needed.
    expect(ended[3]).toEqual({ region: "eu-west-1", registryId: SOURCE, status: "COMPLETE" });
    expect(ended[2]).toMatchObject({ registryId: DENIED, status: "FAILED" });
    expect(ended[2]?.failureCode).toMatch(/^REPLICATION_NOT_ALLOWED/);

    for (const registryId of [TARGET, TARGET_EU, SOURCE_EU]) {
      const copied = right(await after.describeImages({ registryId, repositoryName } as never));
      expect(copied.imageDetails.map((d) => [d.imageDigest, d.imageTags])).toEqual([
        [`sha256:${sha256Hex(utf8Encode(manifest))}`, ["v1"]],
      ]);
    }
    // The denied account got no repository; nothing replicated the unfiltered repository.
    expect(E.isLeft(await after.describeRepositories({ registryId: DENIED } as never))).toBe(false);
    expect(right(await after.describeRepositories({ registryId: DENIED } as never)).repositories).toEqual([]);

    // A third process finds nothing to do, and the log holds each fact once.
    const third = createRegistry({ events, blobs });
    expect(await third.runPendingReplications()).toBe(0);
    const types: string[] = [];
    for (const event of await events.readAll()) types.push(event.type);
    expect(types.filter((t) => t === "ImageReplicationRecorded")).toHaveLength(4);
    expect(types.filter((t) => t === "ImagePushed")).toHaveLength(5);
  });

  it("a process that dies between the copy and its record: the next one records it, copying nothing twice", async () => {
    const events = createMemoryEventStore();
    const blobs = createMemoryBlobStore();
    // The store refuses the outcome's append, as a process killed right after the copy never makes it.
    const failing: EventStore = Object.create(events, {
      appendToStream: {
        value: (stream: string, batch: ReadonlyArray<EventToAppend>, expected?: never) =>
          batch.some((e) => e.type === "ImageReplicationRecorded")
            ? Promise.reject(new Error("killed"))
            : events.appendToStream(stream, batch, expected),
      },
      appendIfLogAt: { value: undefined },
    });
    const dying = createRegistry({ events: failing, blobs });
    await configure(dying);
    right(await dying.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" as ImageTag }));
    await expect(dying.runPendingReplications()).rejects.toThrow("killed");
    const copiedFirst = right(await dying.describeImages({ registryId: TARGET, repositoryName } as never));
    expect(copiedFirst.imageDetails).toHaveLength(1);

    const next = createRegistry({ events, blobs });
    expect(await next.runPendingReplications()).toBe(4);
    expect((await statuses(next))[0]?.status).toBe("COMPLETE");
    const types = (await events.readAll()).map((event) => event.type);
    expect(types.filter((t) => t === "ImagePushed")).toHaveLength(4);
    expect(types.filter((t) => t === "RepositoryCreated")).toHaveLength(5);
  });

  it("creates the destination repository from the destination registry's REPLICATION template", async () => {
    const registry = createRegistry({ events: createMemoryEventStore(), blobs: createMemoryBlobStore() });
    right(
      await registry.createRepositoryCreationTemplate({
        registryId: TARGET,
        prefix: "team",
        appliedFor: ["REPLICATION"],
        imageTagMutability: "IMMUTABLE",
        resourceTags: [{ Key: "origin", Value: "replication" }],
      } as never),
    );
    await configure(registry);
    right(await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" as ImageTag }));
    await registry.runPendingReplications();
    const [created] = right(
      await registry.describeRepositories({ registryId: TARGET, repositoryNames: [repositoryName] } as never),
    ).repositories;
    expect(created?.imageTagMutability).toBe("IMMUTABLE");
    // Without a template the copy gets ECR's defaults.
    const [plain] = right(
      await registry.describeRepositories({
        registryId: TARGET_EU,
        repositoryNames: [repositoryName],
      } as never),
    ).repositories;
    expect(plain?.imageTagMutability).toBe("MUTABLE");
  });

  it("a new tag starts a new round that carries the tag to the destination", async () => {
    const registry = createRegistry({ events: createMemoryEventStore(), blobs: createMemoryBlobStore() });
    await configure(registry);
    right(await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: "v1" as ImageTag }));
    await registry.runPendingReplications();
    right(
      await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: "latest" as ImageTag }),
    );
    expect((await statuses(registry))[0]?.status).toBe("IN_PROGRESS");
    await registry.runPendingReplications();
    const copied = right(await registry.describeImages({ registryId: TARGET, repositoryName } as never));
    expect(copied.imageDetails.map((d) => [...(d.imageTags ?? [])].sort())).toEqual([["latest", "v1"]]);
  });
});
