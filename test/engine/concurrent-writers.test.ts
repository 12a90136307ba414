/**
 * DESIGN §3.7 on Postgres: eight writers, each a `createRegistry` of its own (its own CommandHandler
 * and its own pg pool, as eight processes would be), push into ONE repository at once, racing on the
 * same tags and the same layer digests. Each writer records what it was told; afterwards a fresh
 * engine checks the registry's invariants, and the log is checked to hold every acknowledged
 * command's events exactly once (and nothing of a refused one).
 */
import { createHash } from "node:crypto";
import { createPostgresStorage, type PostgresStorage } from "@berth/adapter-postgres";
import {
  type BerthEvent,
  type Digest,
  hasTag,
  ImageTag,
  type ImageTagMutability,
  imageTags,
  type RegistryState,
  RepositoryName,
  type RepositoryState,
  repositoryLayers,
  tagCount,
  type UploadId,
} from "@berth/core";
import {
  createRegistry,
  type EventStore,
  ExpectedVersionConflictError,
  type RecordedEvent,
  type Registry,
} from "@berth/engine";
import {
  branded,
  expectRight,
  imageManifestOf,
  type LayerBlob,
  layerBlobOf,
  type ManifestDraft,
  readAllBytes,
  sha256Digest,
} from "@berth/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquirePostgres, type PostgresTestDatabase } from "../support/postgres.js";

const WRITERS = 8;
const PUSHES_PER_WRITER = 10;
const TAG_POOL = ["latest", "v1", "v2", "stable"] as const;
const SHARED_LAYERS = 3;
const SHARED_MANIFESTS = 4;
const OWN_MANIFESTS = 2;

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Deterministic bytes: sha256 in counter mode over `label`. */
const bytesOf = (label: string, length: number): Buffer => {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++)
    blocks.push(createHash("sha256").update(`${label}/${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
};

/** The whole global log, paging until an empty batch. */
const readWholeLog = async (registry: { events: PostgresStorage["events"] }): Promise<RecordedEvent[]> => {
  const log: RecordedEvent[] = [];
  let after = 0n;
  for (;;) {
    const batch = await registry.events.readAll({ after, maxCount: 1000 });
    if (batch.length === 0) return log;
    log.push(...batch);
    after = batch.at(-1)!.globalPosition;
  }
};

type Outcome = "ack" | string; /* the refusal's exception name */

interface PushRecord {
  readonly writer: number;
  readonly digest: Digest;
  readonly tag: ImageTag | undefined;
  /** The clock value the command carried: ImagePushed.pushedAt or ImageTagged.taggedAt. */
  readonly at: number;
  readonly outcome: Outcome;
}

interface UploadRecord {
  readonly writer: number;
  readonly uploadId: UploadId;
  readonly digest: Digest;
  readonly acknowledgedParts: number[];
  readonly outcome: Outcome;
}

interface WriterLog {
  created: Outcome | undefined;
  readonly uploads: UploadRecord[];
  readonly pushes: PushRecord[];
}

/** What each writer pushes: shared layers and manifests (everyone races on them) and its own. */
const plan = (run: string) => {
  const sharedConfig = layerBlobOf(`{"run":"${run}","shared":true}`);
  const sharedLayers = Array.from({ length: SHARED_LAYERS }, (_, i) =>
    layerBlobOf(bytesOf(`${run}/layer/${i}`, 30_000 + i * 7_919)),
  );
  const subsets = [[0], [1], [0, 1, 2], [2, 0]] as const;
  const sharedManifests = Array.from({ length: SHARED_MANIFESTS }, (_, i) =>
    imageManifestOf(
      sharedConfig,
      subsets[i % subsets.length]!.map((j) => sharedLayers[j]!),
      { format: i % 2 === 0 ? "oci" : "docker" },
    ),
  );
  const writers = Array.from({ length: WRITERS }, (_, w) => {
    const ownConfig = layerBlobOf(`{"run":"${run}","writer":${w}}`);
    const ownManifests = Array.from({ length: OWN_MANIFESTS }, (_, i) =>
      imageManifestOf(ownConfig, sharedLayers.slice(i, i + 2)),
    );
    return {
      blobs: [sharedConfig, ownConfig, ...sharedLayers],
      manifests: [...sharedManifests, ...ownManifests],
    };
  });
  return { sharedLayers, sharedManifests, writers };
};

/** One writer: creates the repository (racing the others), uploads its blobs in parts, then pushes. */
async function runWriter(
  w: number,
  registry: Registry,
  clock: { next: number },
  repositoryName: RepositoryName,
  mutability: ImageTagMutability,
  work: { blobs: LayerBlob[]; manifests: ManifestDraft[] },
  seed: number,
): Promise<WriterLog> {
  const log: WriterLog = { created: undefined, uploads: [], pushes: [] };
  const rand = random(seed * 31 + w);
  const outcomeOf = (result: { _tag: "Left"; left: { _tag: string } } | { _tag: "Right" }) =>
    result._tag === "Right" ? "ack" : result.left._tag;

  log.created = outcomeOf(
    await registry.createRepository({ repositoryName, imageTagMutability: mutability }),
  );
  // Blobs in an order of the writer's own, so that different writers finish different digests first.
  const blobs = [...work.blobs].sort(() => rand() - 0.5);
  for (const blob of blobs) {
    const initiated = await registry.initiateLayerUpload({ repositoryName });
    if (initiated._tag === "Left")
      throw new Error(`writer ${w}: InitiateLayerUpload refused: ${initiated.left.message}`);
    const { uploadId } = initiated.right;
    const acknowledgedParts: number[] = [];
    const cuts = [
      0,
      Math.floor(blob.bytes.length / 3),
      Math.floor((2 * blob.bytes.length) / 3),
      blob.bytes.length,
    ];
    for (let p = 0; p + 1 < cuts.length; p++) {
      const [first, end] = [cuts[p]!, cuts[p + 1]!];
      if (end <= first) continue;
      const part = await registry.uploadLayerPart({
        repositoryName,
        uploadId,
        partFirstByte: first,
        partLastByte: end - 1,
        layerPartBlob: blob.bytes.subarray(first, end),
      });
      if (part._tag === "Left") throw new Error(`writer ${w}: UploadLayerPart refused: ${part.left.message}`);
      acknowledgedParts.push(first);
    }
    const completed = await registry.completeLayerUpload({
      repositoryName,
      uploadId,
      layerDigests: [blob.digest],
      rules: "oci",
    });
    log.uploads.push({
      writer: w,
      uploadId,
      digest: blob.digest,
      acknowledgedParts,
      outcome: outcomeOf(completed),
    });
  }
  for (let i = 0; i < PUSHES_PER_WRITER; i++) {
    const manifest = work.manifests[Math.floor(rand() * work.manifests.length)]!;
    const tag = rand() < 0.2 ? undefined : branded(ImageTag, TAG_POOL[Math.floor(rand() * TAG_POOL.length)]!);
    const at = clock.next;
    const pending = registry.putImage({
      repositoryName,
      imageManifest: manifest.manifest,
      ...(tag === undefined ? {} : { imageTag: tag }),
    });
    // putImage reads the clock once, synchronously: `at` is the command's pushedAt.
    expect(clock.next).toBe(at + 1);
    log.pushes.push({ writer: w, digest: manifest.digest, tag, at, outcome: outcomeOf(await pending) });
  }
  return log;
}

/** What a repository holds, in a form engines can be compared by. */
const snapshot = (state: RegistryState, repository: RepositoryState | undefined) =>
  repository === undefined
    ? undefined
    : {
        tags: [...repository.tags.entries()].sort(),
        images: [...repository.images.values()]
          .map((image) => [image.digest, [...imageTags(image)].sort(), image.manifestMediaType])
          .sort(),
        layers: repositoryLayers(state, repository)
          .map((layer) => [layer.digest, layer.size])
          .sort(),
        openUploads: [...repository.openUploads.keys()].sort(),
      };

describe("eight engines on one Postgres schema, pushing into one repository at once", () => {
  let database: PostgresTestDatabase;
  beforeAll(async () => {
    database = await acquirePostgres();
  });
  afterAll(() => database?.release());

  /** Appends refused for a stale expected version, across all engines: the races actually raced. */
  let conflicts = 0;
  const engineOn = async (clock: { next: number }) => {
    const storage = await createPostgresStorage({
      connectionString: database.connectionString,
      schema: database.schema,
      migrate: false,
      pool: { max: 3 },
    });
    const events: EventStore = {
      ...storage.events,
      async appendToStream(...args) {
        try {
          return await storage.events.appendToStream(...args);
        } catch (error) {
          if (error instanceof ExpectedVersionConflictError) conflicts += 1;
          throw error;
        }
      },
    };
    const registry = createRegistry({ events, blobs: storage.blobs, clock: () => clock.next++ });
    return { storage, registry };
  };

  for (const mutability of ["MUTABLE", "IMMUTABLE"] as const) {
    it(`${mutability}: no acknowledged write lost or doubled, no invariant broken`, async () => {
      const seed = Number(process.env.BERTH_RACE_SEED ?? Date.now() % 100_000);
      const run = `${mutability.toLowerCase()}-${seed}`;
      const repositoryName = branded(RepositoryName, `race/${run}`);
      const work = plan(run);
      const clocks = Array.from({ length: WRITERS }, (_, w) => ({
        next: 1_700_000_000_000 + (w + 1) * 10_000_000,
      }));
      conflicts = 0;
      const engines = await Promise.all(clocks.map((clock) => engineOn(clock)));
      let logs: WriterLog[];
      try {
        logs = await Promise.all(
          engines.map(({ registry }, w) =>
            runWriter(w, registry, clocks[w]!, repositoryName, mutability, work.writers[w]!, seed),
          ),
        );
      } catch (error) {
        await Promise.all(engines.map(({ storage }) => storage.close()));
        throw error;
      }
      const context = `seed ${seed} (replay with BERTH_RACE_SEED=${seed})`;

      // ---- what the writers were told
      expect(
        logs.filter((log) => log.created === "ack"),
        context,
      ).toHaveLength(1);
      for (const log of logs) expect(["ack", "RepositoryAlreadyExistsException"]).toContain(log.created);
      const uploads = logs.flatMap((log) => log.uploads);
      for (const upload of uploads)
        expect(["ack", "LayerAlreadyExistsException"], context).toContain(upload.outcome);
      // Each digest became a layer exactly once; every other upload of it was told it exists.
      for (const digest of new Set(uploads.map((upload) => upload.digest))) {
        expect(
          uploads.filter((upload) => upload.digest === digest && upload.outcome === "ack"),
          `${digest}, ${context}`,
        ).toHaveLength(1);
      }
      const pushes = logs.flatMap((log) => log.pushes);
      const allowedRefusals =
        mutability === "IMMUTABLE"
          ? ["ImageAlreadyExistsException", "ImageTagAlreadyExistsException"]
          : ["ImageAlreadyExistsException"];
      for (const push of pushes)
        expect(["ack", ...allowedRefusals], `${JSON.stringify(push)}, ${context}`).toContain(push.outcome);
      expect(pushes.filter((push) => push.outcome === "ack").length, context).toBeGreaterThan(0);
      // The writers did collide: on the repository stream (retried appends) and on layers.
      expect(conflicts, context).toBeGreaterThan(0);
      expect(
        uploads.filter((upload) => upload.outcome === "LayerAlreadyExistsException").length,
      ).toBeGreaterThan(0);
      if (mutability === "IMMUTABLE") {
        expect(
          pushes.filter((push) => push.outcome === "ImageTagAlreadyExistsException").length,
          context,
        ).toBeGreaterThan(0);
      }

      // ---- a fresh engine (a process that was not there) and the writers all see one state
      const fresh = await engineOn({ next: 1 });
      try {
        await fresh.registry.catchUp();
        const state = fresh.registry.state;
        const repository = [...state.repositories.values()].find((r) => r.name === repositoryName);
        expect(repository, context).toBeDefined();
        if (repository === undefined) return;
        for (const { registry } of engines) {
          await registry.catchUp();
          expect(
            snapshot(
              registry.state,
              [...registry.state.repositories.values()].find((r) => r.name === repositoryName),
            ),
          ).toEqual(snapshot(state, repository));
        }

        // Each tag names one image, and that image knows it; an image's tags all point back to it.
        for (const [tag, digest] of repository.tags)
          expect(hasTag(repository.images.get(digest)!, tag), `${tag}, ${context}`).toBe(true);
        for (const image of repository.images.values()) {
          for (const tag of imageTags(image)) expect(repository.tags.get(tag)).toBe(image.digest);
        }
        // Every blob an image references is a layer of the repository, and its bytes are stored.
        for (const image of repository.images.values()) {
          for (const blob of image.blobs)
            expect(repository.layers.has(blob), `${blob}, ${context}`).toBe(true);
        }
        for (const layer of repositoryLayers(state, repository)) {
          expect(await fresh.storage.blobs.stat(layer.digest)).toEqual({
            digest: layer.digest,
            size: layer.size,
          });
          const bytes = await readAllBytes(
            expectRight(await fresh.registry.readBlob({ repositoryName, digest: layer.digest })),
          );
          expect(sha256Digest(bytes)).toBe(layer.digest);
        }
        expect(new Set(repository.layers.keys())).toEqual(new Set(uploads.map((upload) => upload.digest)));
        // Every upload session was closed: completed, or discarded when its layer already existed.
        expect(snapshot(state, repository)?.openUploads, context).toEqual([]);

        // ---- the log: positions strictly increasing, (stream, version) unique and gapless
        const log = await readWholeLog(fresh.storage);
        for (let i = 1; i < log.length; i++)
          expect(log[i]!.globalPosition > log[i - 1]!.globalPosition).toBe(true);
        const versions = new Map<string, number>();
        for (const event of log) {
          expect(event.streamVersion, event.streamName).toBe((versions.get(event.streamName) ?? 0) + 1);
          versions.set(event.streamName, event.streamVersion);
        }
        // The repository's events and its uploads' parts, in log order.
        const repositoryStream = log
          .filter((event) => (event.data as { repositoryName?: string }).repositoryName === repositoryName)
          .map((event) => ({ type: event.type, data: event.data }) as BerthEvent);
        const ofType = <T extends BerthEvent["type"]>(type: T) =>
          repositoryStream.filter((event): event is Extract<BerthEvent, { type: T }> => event.type === type);

        expect(ofType("RepositoryCreated"), context).toHaveLength(1);
        // Every acknowledged upload: initiated once, each acknowledged part once, completed once.
        // A refused completion left no LayerUploadCompleted behind.
        for (const upload of uploads) {
          expect(
            ofType("LayerUploadInitiated").filter((e) => e.data.uploadId === upload.uploadId),
          ).toHaveLength(1);
          const parts = ofType("LayerPartUploaded").filter((e) => e.data.uploadId === upload.uploadId);
          expect(parts.map((e) => e.data.partFirstByte)).toEqual(upload.acknowledgedParts);
          const completed = ofType("LayerUploadCompleted").filter((e) => e.data.uploadId === upload.uploadId);
          expect(
            completed.map((e) => e.data.layerDigest),
            `${upload.uploadId}, ${context}`,
          ).toEqual(upload.outcome === "ack" ? [upload.digest] : []);
        }
        // Every acknowledged PutImage is in the log exactly once, as what it was told; a refused one not at all.
        const tagEvents = repositoryStream.flatMap(
          (event): Array<{ at: number; digest: Digest; tag: ImageTag | undefined }> =>
            event.type === "ImagePushed"
              ? [{ at: event.data.pushedAt, digest: event.data.imageDigest, tag: event.data.imageTag }]
              : event.type === "ImageTagged"
                ? [{ at: event.data.taggedAt, digest: event.data.imageDigest, tag: event.data.imageTag }]
                : [],
        );
        for (const push of pushes) {
          const found = tagEvents.filter((e) => e.at === push.at);
          if (push.outcome !== "ack") {
            expect(found, `refused ${JSON.stringify(push)}, ${context}`).toEqual([]);
            continue;
          }
          expect(found, `acknowledged ${JSON.stringify(push)}, ${context}`).toHaveLength(1);
          expect(found[0]).toMatchObject({ digest: push.digest, tag: push.tag });
        }
        // Nothing in the log that no writer was told about.
        expect(tagEvents.length).toBe(pushes.filter((push) => push.outcome === "ack").length);
        expect(ofType("ImageUntagged").length + ofType("ImageDeleted").length).toBe(0);

        // Tags: where each one ended up, and (IMMUTABLE) that none ever moved.
        for (const tag of TAG_POOL) {
          const withTag = pushes.filter((push) => push.tag === tag);
          const acknowledged = withTag.filter((push) => push.outcome === "ack");
          const lastInLog = tagEvents.filter((e) => e.tag === tag).at(-1);
          expect(repository.tags.get(tag as ImageTag), `${tag}, ${context}`).toBe(lastInLog?.digest);
          if (mutability === "MUTABLE") continue;
          // The first acknowledged push of the tag won, and it is the only one: every later push of
          // the tag was refused, with ImageTagAlreadyExistsException unless it was the same image.
          expect(acknowledged.length, `${tag}, ${context}`).toBeLessThanOrEqual(1);
          if (withTag.length > 0) expect(acknowledged, `${tag}, ${context}`).toHaveLength(1);
          const winner = acknowledged[0];
          if (winner === undefined) continue;
          expect(tagEvents.filter((e) => e.tag === tag)).toHaveLength(1);
          expect(repository.tags.get(tag as ImageTag)).toBe(winner.digest);
          for (const loser of withTag.filter((push) => push !== winner)) {
            expect(loser.outcome, `${JSON.stringify(loser)}, ${context}`).toBe(
              loser.digest === winner.digest
                ? "ImageAlreadyExistsException"
                : "ImageTagAlreadyExistsException",
            );
          }
        }

        // The fresh engine answers queries from that state.
        const listed = await fresh.registry.listImages({ repositoryName, maxResults: 1000 });
        expect(listed._tag === "Right" && listed.right.imageIds.length).toBe(
          [...repository.images.values()].reduce((n, image) => n + Math.max(tagCount(image), 1), 0),
        );
      } finally {
        await Promise.all([fresh.storage.close(), ...engines.map(({ storage }) => storage.close())]);
      }
    });
  }
});
