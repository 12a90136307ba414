/**
 * DESIGN §3.6: random command sequences, run through `createRegistry` on memory, on Postgres and on
 * the embedded storage's stores (SQLite events, filesystem blobs), give the same events (type and data after a JSON round trip, in the same streams at the same
 * versions, in the same global order; positions and recording times are the store's own) and the
 * same answers: to every command, and to DescribeRepositories, DescribeImages, ListImages,
 * BatchGetImage and BatchCheckLayerAvailability afterwards, with the same layer bytes.
 *
 * The sequences come from the testkit's arbitraries (small pools of names, tags, blobs and
 * manifests written in unusual styles, so that commands collide), translated into registry calls:
 * the engine measures what the blob store received, so the parts carry real bytes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFilesystemBlobStore } from "@berth/adapter-filesystem";
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { createPostgresBlobStore, createPostgresEventStore } from "@berth/adapter-postgres";
import { createSqliteEventStore, openSqliteDatabase } from "@berth/adapter-sqlite";
import {
  type BerthCommand,
  type Digest,
  ImageTag,
  RegistryId,
  RepositoryName,
  repositoryArn,
} from "@berth/core";
import { type BlobStore, createRegistry, type EventStore, type Registry } from "@berth/engine";
import {
  branded,
  CONVENTIONAL_STYLE,
  expectRight,
  imageManifestOf,
  isSweepCommand,
  type LayerBlob,
  layerBlobOf,
  type RegistryPools,
  readAllBytes,
  registryCommands,
  registryScenarioArb,
  sha256Digest,
} from "@berth/testkit";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { lazyPostgres } from "../support/postgres.js";

const NUM_RUNS = Number(process.env.BERTH_EQUIVALENCE_RUNS ?? 30);
const REGION = "us-east-1";

const jsonRoundTrip = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

/** What a registry call answered, comparable across adapters. */
const answerOf = async (call: () => Promise<unknown>): Promise<unknown> => {
  try {
    const outcome = (await call()) as { _tag: "Left"; left: unknown } | { _tag: "Right"; right: unknown };
    return outcome._tag === "Left"
      ? { refused: jsonRoundTrip(outcome.left) }
      : { answered: jsonRoundTrip(outcome.right) };
  } catch (error) {
    return { threw: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
};

/** The bytes each upload's parts carry: those of the blob its CompleteLayerUpload expects. */
const uploadBytes = (
  commands: ReadonlyArray<BerthCommand>,
  blobs: ReadonlyArray<LayerBlob>,
): Map<string, Uint8Array> => {
  const byDigest = new Map(blobs.map((blob) => [blob.digest as string, blob.bytes]));
  const bytes = new Map<string, Uint8Array>();
  for (const command of commands) {
    if (command.type === "CompleteLayerUpload") {
      const blob = byDigest.get(command.data.received.digest);
      if (blob !== undefined && !bytes.has(command.data.uploadId)) bytes.set(command.data.uploadId, blob);
    }
  }
  return bytes;
};

/** Runs one core command as the registry call a client would make. */
const callFor = (
  registry: Registry,
  command: BerthCommand,
  partBytes: Map<string, Uint8Array>,
  nextUploadId: (id: string) => void,
): (() => Promise<unknown>) => {
  if (isSweepCommand(command)) throw new Error(`${command.type} is the sweeps' command, not a client's`);
  const arnOf = (name: string) => repositoryArn(REGION, command.data.registryId, name as never);
  switch (command.type) {
    case "CreateRepository": {
      const d = command.data;
      return () =>
        registry.createRepository({
          registryId: d.registryId,
          repositoryName: d.repositoryName,
          ...(d.imageTagMutability === undefined ? {} : { imageTagMutability: d.imageTagMutability }),
          ...(d.imageTagMutabilityExclusionFilters === undefined
            ? {}
            : { imageTagMutabilityExclusionFilters: d.imageTagMutabilityExclusionFilters }),
          ...(d.tags === undefined ? {} : { tags: d.tags }),
        });
    }
    case "DeleteRepository":
      return () => registry.deleteRepository({ ...command.data, force: command.data.force ?? false });
    case "PutImageTagMutability":
      return () => registry.putImageTagMutability(command.data);
    case "PutImage": {
      const { pushedAt: _, ...input } = command.data;
      return () => registry.putImage(input);
    }
    case "DeleteImages":
      return () => registry.batchDeleteImage(command.data);
    case "InitiateLayerUpload":
      return () => {
        nextUploadId(command.data.uploadId);
        return registry.initiateLayerUpload(command.data);
      };
    case "UploadLayerPart": {
      const d = command.data;
      const bytes = partBytes.get(d.uploadId) ?? new Uint8Array(d.partLastByte + 1);
      return () =>
        registry.uploadLayerPart({
          registryId: d.registryId,
          repositoryName: d.repositoryName,
          uploadId: d.uploadId,
          partFirstByte: d.partFirstByte,
          partLastByte: d.partLastByte,
          layerPartBlob: bytes.subarray(d.partFirstByte, d.partFirstByte + d.partLength),
        });
    }
    case "CompleteLayerUpload": {
      const d = command.data;
      return () =>
        registry.completeLayerUpload({
          registryId: d.registryId,
          repositoryName: d.repositoryName,
          uploadId: d.uploadId,
          layerDigests: d.layerDigests,
          rules: d.rules,
        });
    }
    case "DiscardLayerUpload":
      return () => registry.discardLayerUpload(command.data);
    case "MountLayer":
      return () => registry.mountLayer(command.data);
    case "SetRepositoryPolicy":
      return () => registry.setRepositoryPolicy(command.data);
    case "DeleteRepositoryPolicy":
      return () => registry.deleteRepositoryPolicy(command.data);
    case "PutRegistryPolicy":
      return () => registry.putRegistryPolicy(command.data);
    case "DeleteRegistryPolicy":
      return () => registry.deleteRegistryPolicy(command.data);
    case "PutRegistrySettings":
      return () => registry.putRegistrySettings(command.data);
    case "TagResource":
      return () =>
        registry.tagResource({ resourceArn: arnOf(command.data.repositoryName), tags: command.data.tags });
    case "UntagResource":
      return () =>
        registry.untagResource({
          resourceArn: arnOf(command.data.repositoryName),
          tagKeys: command.data.tagKeys,
        });
    case "PutLifecyclePolicy":
      return () => registry.putLifecyclePolicy(command.data);
    case "DeleteLifecyclePolicy":
      return () => registry.deleteLifecyclePolicy(command.data);
    case "StartLifecyclePolicyPreview": {
      const { now: _, ...input } = command.data;
      return () => registry.startLifecyclePolicyPreview(input);
    }
    case "ApplyLifecyclePolicy":
      return () => registry.applyLifecyclePolicies(command.data);
    case "PutImageScanningConfiguration":
      return () =>
        registry.putImageScanningConfiguration({
          ...command.data,
          imageScanningConfiguration: { scanOnPush: command.data.scanOnPush },
        });
    case "PutRegistryScanningConfiguration":
      return () => registry.putRegistryScanningConfiguration(command.data);
    case "StartImageScan":
      return () => registry.startImageScan(command.data);
    case "RecordImageScan":
      throw new Error("RecordImageScan is the scan worker's command, not a client's");
    case "PutAccountSetting":
      return () => registry.putAccountSetting(command.data);
    case "UpdateImageStorageClass": {
      const { now: _, ...input } = command.data;
      return () => registry.updateImageStorageClass(input);
    }
    case "RecordImagePulls": {
      // A pull is a BatchGetImage; its record is written beside the answer.
      const { registryId, pulls } = command.data;
      return async () => {
        const answers = await Promise.all(
          pulls.map(({ repositoryName, imageDigests }) =>
            registry.batchGetImage({
              registryId,
              repositoryName,
              imageIds: imageDigests.map((imageDigest) => ({ imageDigest })),
            }),
          ),
        );
        await registry.pullsRecorded();
        return answers;
      };
    }
    case "PutSigningConfiguration":
      return () =>
        registry.putSigningConfiguration({
          registryId: command.data.registryId,
          signingConfiguration: { rules: command.data.rules },
        });
    case "DeleteSigningConfiguration":
      return () => registry.deleteSigningConfiguration(command.data);
    case "RegisterPullTimeUpdateExclusion":
      return () => registry.registerPullTimeUpdateExclusion(command.data);
    case "DeregisterPullTimeUpdateExclusion":
      return () => registry.deregisterPullTimeUpdateExclusion(command.data);
    case "CreatePullThroughCacheRule": {
      const { createdAt: _, credentialKnown: __, ...input } = command.data;
      return () => registry.createPullThroughCacheRule(input);
    }
    case "UpdatePullThroughCacheRule": {
      const { updatedAt: _, credentialKnown: __, ...input } = command.data;
      return () => registry.updatePullThroughCacheRule(input);
    }
    case "DeletePullThroughCacheRule":
      return () => registry.deletePullThroughCacheRule(command.data);
    case "CreateRepositoryCreationTemplate": {
      const { createdAt: _, ...input } = command.data;
      return () => registry.createRepositoryCreationTemplate(input);
    }
    case "UpdateRepositoryCreationTemplate": {
      const { updatedAt: _, ...input } = command.data;
      return () => registry.updateRepositoryCreationTemplate(input);
    }
    case "DeleteRepositoryCreationTemplate":
      return () => registry.deleteRepositoryCreationTemplate(command.data);
    case "CreateRepositoryFromTemplate": {
      const { createdAt: _, ...input } = command.data;
      return () => registry.createRepositoryFromTemplate(input);
    }
    case "PutReplicationConfiguration":
      return () => registry.putReplicationConfiguration(command.data);
    case "ReplicateImage":
    case "RecordImageReplication":
      throw new Error(`${command.type} is the replication worker's command, not a client's`);
    case "StartReplicationBackfill":
    case "StartBackfillReplications":
    case "PrepareReplicationBackfill":
    case "StopReplicationBackfill":
      throw new Error(`${command.type} is not generated by these sequences`);
  }
};

interface RunRecord {
  readonly answers: unknown[];
  readonly events: unknown[];
  readonly queries: Record<string, unknown>;
}

/** The sequence on fresh stores, with a clock and upload ids that are the same for every adapter. */
async function runSequence(
  stores: { events: EventStore; blobs: BlobStore },
  pools: RegistryPools,
  commands: ReadonlyArray<BerthCommand>,
): Promise<RunRecord> {
  let now = 1_600_000_000_000;
  let uploadId = "";
  const registry = createRegistry({
    ...stores,
    clock: () => now++,
    ids: () => uploadId,
    defaultRegistryId: pools.registryId,
    context: { region: REGION, registryHost: (registryId) => `${registryId}.dkr.ecr.${REGION}.example` },
  });
  const partBytes = uploadBytes(commands, pools.blobs);
  const answers: unknown[] = [];
  for (const command of commands) {
    answers.push({
      [command.type]: await answerOf(callFor(registry, command, partBytes, (id) => (uploadId = id))),
    });
  }

  const queries: Record<string, unknown> = {
    repositories: await answerOf(() => registry.describeRepositories({ maxResults: 1000 })),
    registry: await answerOf(() => registry.describeRegistry()),
    registryPolicy: await answerOf(() => registry.getRegistryPolicy()),
  };
  const tags = pools.imageTags.map((imageTag) => ({ imageTag }));
  const digests = pools.manifests.map((manifest) => ({ imageDigest: manifest.digest }));
  for (const repositoryName of pools.repositoryNames) {
    const ref = { repositoryName };
    const layers = await answerOf(() =>
      registry.batchCheckLayerAvailability({ ...ref, layerDigests: pools.blobs.map((blob) => blob.digest) }),
    );
    const layerBytes: Record<string, unknown> = {};
    for (const blob of pools.blobs) {
      const downloadable = await registry.getDownloadableLayer({ ...ref, layerDigest: blob.digest });
      layerBytes[blob.digest] =
        downloadable._tag === "Left"
          ? downloadable.left._tag
          : sha256Digest(
              await readAllBytes(
                expectRight(await registry.readBlob({ ...ref, digest: blob.digest as Digest })),
              ),
            );
    }
    queries[repositoryName] = {
      describeRepositories: await answerOf(() =>
        registry.describeRepositories({ repositoryNames: [repositoryName] }),
      ),
      describeImages: await answerOf(() => registry.describeImages({ ...ref, maxResults: 1000 })),
      describeImagesTagged: await answerOf(() =>
        registry.describeImages({ ...ref, filter: { tagStatus: "TAGGED" } }),
      ),
      describeImagesById: await answerOf(() =>
        registry.describeImages({ ...ref, imageIds: digests.slice(0, 1) }),
      ),
      listImages: await answerOf(() => registry.listImages({ ...ref, maxResults: 1000 })),
      listImagesFirstPage: await answerOf(() => registry.listImages({ ...ref, maxResults: 2 })),
      listImagesUntagged: await answerOf(() =>
        registry.listImages({ ...ref, filter: { tagStatus: "UNTAGGED" } }),
      ),
      // A pull records its time beside the answer: wait for it, so both logs hold it at one place.
      batchGetImage: await answerOf(async () => {
        const answer = await registry.batchGetImage({ ...ref, imageIds: [...tags, ...digests] });
        await registry.pullsRecorded();
        return answer;
      }),
      layers,
      layerBytes,
      policy: await answerOf(() => registry.getRepositoryPolicy(ref)),
      resourceTags: await answerOf(() =>
        registry.listTagsForResource({
          resourceArn: repositoryArn(REGION, pools.registryId, repositoryName),
        }),
      ),
    };
  }

  const events: unknown[] = [];
  let after = 0n;
  for (;;) {
    const batch = await stores.events.readAll({ after, maxCount: 500 });
    if (batch.length === 0) break;
    for (const event of batch) {
      // globalPosition and recordedAt are the store's own; the rest must match.
      events.push({
        stream: event.streamName,
        version: event.streamVersion,
        type: event.type,
        data: jsonRoundTrip(event.data),
      });
    }
    after = batch.at(-1)!.globalPosition;
  }
  return { answers, events, queries };
}

/** The sequence on the embedded storage's stores: a fresh SQLite log (in memory) and blob files. */
async function runOnSqliteAndFiles(
  pools: RegistryPools,
  commands: ReadonlyArray<BerthCommand>,
): Promise<RunRecord> {
  const directory = await mkdtemp(join(tmpdir(), "berth-equivalence-"));
  const events = createSqliteEventStore({
    database: await openSqliteDatabase(":memory:"),
    closeDatabase: true,
  });
  const blobs = createFilesystemBlobStore({ directory });
  try {
    return await runSequence({ events, blobs }, pools, commands);
  } finally {
    await Promise.all([events.close(), blobs.close()]);
    await rm(directory, { recursive: true, force: true });
  }
}

describe("adapter equivalence: memory, Postgres and SQLite + files through createRegistry", () => {
  const postgres = lazyPostgres();
  afterAll(() => postgres.release());

  /** Runs the sequence on fresh memory stores, a fresh Postgres log and fresh SQLite + files; all records must be equal. */
  const onEvery = async (pools: RegistryPools, commands: ReadonlyArray<BerthCommand>) => {
    const { db, schema } = await postgres.get();
    const onMemory = await runSequence(
      { events: createMemoryEventStore(), blobs: createMemoryBlobStore() },
      pools,
      commands,
    );
    // A fresh log for each run: positions and versions start over, as on memory.
    const tables = ["events", "uploads", "upload_attempts", "upload_chunks", "blobs", "blob_chunks"].map(
      (table) => sql.id(schema, table),
    );
    await sql`truncate table ${sql.join(tables)} restart identity`.execute(db);
    const events = createPostgresEventStore({ db, schema });
    const blobs = createPostgresBlobStore({ db, schema, chunkSize: 16 });
    let onPostgres: RunRecord;
    try {
      onPostgres = await runSequence({ events, blobs }, pools, commands);
    } finally {
      await events.close();
    }
    expect(onPostgres.answers).toEqual(onMemory.answers);
    expect(onPostgres.events).toEqual(onMemory.events);
    expect(onPostgres.queries).toEqual(onMemory.queries);
    const onSqlite = await runOnSqliteAndFiles(pools, commands);
    expect(onSqlite.answers).toEqual(onMemory.answers);
    expect(onSqlite.events).toEqual(onMemory.events);
    expect(onSqlite.queries).toEqual(onMemory.queries);
    return onMemory;
  };

  it(`give the same events and answers for random command sequences (${NUM_RUNS} runs)`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(registryScenarioArb({ maxSteps: 20 }), async ({ pools, commands }) => {
        runs += 1;
        await onEvery(pools, commands);
      }),
      { numRuns: NUM_RUNS, interruptAfterTimeLimit: 50_000, markInterruptAsFailure: false },
    );
    expect(runs).toBeGreaterThan(0);
  }, 80_000);

  it("refuse text no storage can keep (NUL, unpaired surrogates) alike, instead of one adapter throwing", async () => {
    const registryId = branded(RegistryId, "123456789012");
    const name = branded(RepositoryName, "equivalence/text");
    const c = registryCommands(registryId);
    const config = layerBlobOf('{"os":"linux"}');
    const layer = layerBlobOf("layer bytes");
    const plain = imageManifestOf(config, [layer]);
    const loneSurrogate = imageManifestOf(config, [layer], {
      style: { ...CONVENTIONAL_STYLE, rawLoneSurrogates: true, annotations: { note: "half \ud800 a pair" } },
    });
    expect(loneSurrogate.manifest).toContain("\ud800");
    const pools: RegistryPools = {
      registryId,
      repositoryNames: [name],
      imageTags: [branded(ImageTag, "v1")],
      blobs: [config, layer],
      manifests: [plain, loneSurrogate],
    };
    const commands: BerthCommand[] = [
      c.createRepository(name),
      ...c.uploadLayer(name, config),
      ...c.uploadLayer(name, layer),
      c.putImage(name, loneSurrogate, { tag: "v1" }),
      c.putImage(name, plain, { tag: "half\udc00" }),
      c.tagResource(name, [{ Key: "team", Value: "a\u0000b" }]),
      c.setRepositoryPolicy(
        name,
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:ReplicateImage"}],"Sid":"\ud800"}',
      ),
      c.putImage(name, plain, { tag: "v1" }),
    ];
    const { answers } = await onEvery(pools, commands);
    const refusals = answers.slice(7, 11) as Array<Record<string, { refused?: { _tag: string } }>>;
    expect(refusals.map((answer) => Object.values(answer)[0]?.refused?._tag)).toEqual([
      "InvalidParameterException",
      "InvalidParameterException",
      "InvalidParameterException",
      "InvalidParameterException",
    ]);
    expect(Object.values(answers[11] as object)[0]).toHaveProperty("answered");
  });
});
