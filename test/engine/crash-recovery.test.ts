/**
 * Crash recovery on Postgres: a push client with its own engine runs in a child process (plain
 * node on the built packages, see support/engine-process.ts) and is killed with SIGKILL in the
 * middle of its work: from outside, mid-part and at a random moment, and from inside, right after
 * the blob store stored bytes whose event was not yet appended. A fresh engine on the same schema
 * then finds every acknowledged push whole (manifest byte-exact, layers downloadable with their
 * sha256) and no half-finished upload posing as a layer; and clients can push again.
 */
import { createPostgresStorage } from "@berth/adapter-postgres";
import {
  type ImageTag,
  type RepositoryName,
  type RepositoryState,
  repositoryLayers,
  type UploadId,
} from "@berth/core";
import { createRegistry, type EventStore, type RecordedEvent, UploadUnknownError } from "@berth/engine";
import { readAllBytes, sha256Digest } from "@berth/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEngine, startWorker, type WorkerProcess } from "../support/engine-process.js";
import { acquirePostgres, type PostgresTestDatabase } from "../support/postgres.js";
import { imageBlobs, manifestOf, type PushWorkerConfig, type WorkerLine } from "../support/push-worker.js";

const right = <A>(
  outcome: { _tag: "Left"; left: { _tag: string; message: string } } | { _tag: "Right"; right: A },
): A => {
  if (outcome._tag === "Left") throw new Error(`${outcome.left._tag}: ${outcome.left.message}`);
  return outcome.right;
};

type Ack = Extract<WorkerLine, { type: "ack" }>;

interface Round {
  readonly runId: string;
  /** How the round's worker dies. */
  readonly describe: string;
  readonly crash?: PushWorkerConfig["crash"];
  /** Kills the worker from outside (rounds without `crash`). */
  readonly kill?: (worker: WorkerProcess<WorkerLine>) => Promise<void>;
}

const acks = (worker: WorkerProcess<WorkerLine>) =>
  worker.lines.filter((line): line is Ack => line.type === "ack");

/**
 * Each push stores 4 parts (the config's one and three of its own layer; the base layer they share
 * is uploaded before the rounds start) and finishes 2 uploads.
 */
const ROUNDS: ReadonlyArray<Round> = [
  {
    runId: "mid-part",
    describe: "SIGKILL from outside while a part streams in",
    kill: async (worker) => {
      await worker.waitFor((line) => line.type === "ack" && line.push === 2);
      await worker.waitFor(
        (line) => line.type === "streaming" && line.push === 3 && line.blob === "own" && line.part === 1,
      );
      await new Promise((resolve) => setTimeout(resolve, 20)); // a piece or two into the part
      worker.kill("SIGKILL");
    },
  },
  {
    runId: "after-append",
    describe: "killed right after a part's bytes were stored, before its event",
    crash: { after: "append", nth: 4 * 2 + 2 }, // push 2: the first part of its own layer
  },
  {
    runId: "after-finish",
    describe: "killed right after a layer's blob was finished, before LayerUploadCompleted",
    crash: { after: "finish", nth: 2 * 2 + 2 }, // push 2: its own layer
  },
  {
    runId: "anywhere",
    describe: "SIGKILL from outside at a random moment",
    kill: async (worker) => {
      await worker.waitFor((line) => line.type === "ack" && line.push === 1);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 60)));
      worker.kill("SIGKILL");
    },
  },
];

/** The whole global log, paging until an empty batch. */
const readWholeLog = async (events: Pick<EventStore, "readAll">): Promise<RecordedEvent[]> => {
  const log: RecordedEvent[] = [];
  let after = 0n;
  for (;;) {
    const batch = await events.readAll({ after });
    if (batch.length === 0) return log;
    log.push(...batch);
    after = batch.at(-1)!.globalPosition;
  }
};

describe("crash recovery: a pushing engine process killed with SIGKILL", () => {
  let database: PostgresTestDatabase;
  beforeAll(async () => {
    const [acquired] = await Promise.all([acquirePostgres(), buildEngine()]);
    database = acquired;
  }, 120_000);
  afterAll(() => database?.release());

  it("keeps every acknowledged push whole and shows no half-finished upload as a layer", async () => {
    const repositoryName = "crash/app" as RepositoryName;
    const workerConfig = (round: Round): PushWorkerConfig => ({
      connectionString: database.connectionString,
      schema: database.schema,
      repositoryName,
      runId: round.runId,
      pushes: 40,
      partSize: 64 * 1024,
      partsPerLayer: 3,
      pieceDelayMs: 15,
      ...(round.crash === undefined ? {} : { crash: round.crash }),
    });
    const open = async () => {
      const storage = await createPostgresStorage({
        connectionString: database.connectionString,
        schema: database.schema,
        migrate: false,
      });
      return { storage, registry: createRegistry({ events: storage.events, blobs: storage.blobs }) };
    };

    // The repository, and the base layer every image shares (so each push stores the same number of parts).
    const setup = await open();
    right(await setup.registry.createRepository({ repositoryName, imageTagMutability: "IMMUTABLE" }));
    const base = imageBlobs(workerConfig(ROUNDS[0]!), 0).base;
    const { uploadId: baseUpload } = right(await setup.registry.initiateLayerUpload({ repositoryName }));
    right(
      await setup.registry.uploadLayerPart({
        repositoryName,
        uploadId: baseUpload,
        partFirstByte: 0,
        partLastByte: base.length - 1,
        layerPartBlob: base,
      }),
    );
    right(
      await setup.registry.completeLayerUpload({
        repositoryName,
        uploadId: baseUpload,
        layerDigests: [sha256Digest(base)],
      }),
    );
    await setup.storage.close();

    // ---- the rounds, all at once (one repository, four clients): a worker each, killed one way or another
    const rounds = await Promise.all(
      ROUNDS.map(async (round) => {
        const worker = await startWorker<WorkerLine>("push-worker.ts", {
          BERTH_PUSH_WORKER_CONFIG: JSON.stringify(workerConfig(round)),
        });
        await round.kill?.(worker);
        return { round, worker, ended: await worker.exited };
      }),
    );
    const acknowledged: Ack[] = [];
    const unfinished: Array<{ round: Round; push: number }> = [];
    for (const { round, worker, ended } of rounds) {
      const failed = worker.lines.find((line) => line.type === "failed");
      expect(failed, `${round.describe}: ${JSON.stringify(failed)}\n${worker.stderr()}`).toBeUndefined();
      expect(ended.signal, `${round.describe}: the worker should have been killed\n${worker.stderr()}`).toBe(
        "SIGKILL",
      );
      if (round.crash !== undefined)
        expect(worker.lines.at(-1)).toMatchObject({ type: "crashing", after: round.crash.after });
      const told = acks(worker);
      expect(told.length, round.describe).toBeGreaterThanOrEqual(2);
      acknowledged.push(...told);
      unfinished.push({ round, push: told.length });
    }

    // ---- a fresh engine on the same schema
    const fresh = await open();
    try {
      const { registry, storage } = fresh;
      await registry.catchUp();
      const repository = [...registry.state.repositories.values()].find(
        (r) => r.name === repositoryName,
      ) as RepositoryState;
      expect(repository).toBeDefined();

      // Every acknowledged push is there, byte-exact, with its layers downloadable and intact.
      for (const ack of acknowledged) {
        const got = right(
          await registry.batchGetImage({ repositoryName, imageIds: [{ imageTag: ack.tag }] }),
        );
        expect(got.failures, ack.tag).toEqual([]);
        expect(got.images[0]?.imageId.imageDigest).toBe(ack.digest);
        expect(got.images[0]?.imageManifest).toBe(ack.manifest);
        expect(sha256Digest(Buffer.from(ack.manifest))).toBe(ack.digest);
        for (const layer of ack.layers) {
          expect(
            right(await registry.getDownloadableLayer({ repositoryName, layerDigest: layer.digest })),
          ).toMatchObject(layer);
          const bytes = await readAllBytes(
            right(await registry.readBlob({ repositoryName, digest: layer.digest as never })),
          );
          expect({ digest: sha256Digest(bytes), size: bytes.length }, `${ack.tag}: ${layer.digest}`).toEqual(
            layer,
          );
        }
      }
      // Every image references only layers of the repository (pushes that were not acknowledged included).
      for (const image of repository.images.values()) {
        for (const blob of image.blobs)
          expect(repository.layers.has(blob), `${image.digest} -> ${blob}`).toBe(true);
      }
      // No half-finished upload is a layer: every layer is a finished blob of its recorded size whose bytes hash to its digest.
      for (const layer of repositoryLayers(registry.state, repository)) {
        expect(await storage.blobs.stat(layer.digest)).toEqual({ digest: layer.digest, size: layer.size });
        const bytes = await readAllBytes(
          right(await registry.readBlob({ repositoryName, digest: layer.digest })),
        );
        expect(sha256Digest(bytes), layer.digest).toBe(layer.digest);
      }
      // Uploads cut short may stay open, but the log never claims bytes the blob store does not hold.
      // (After a kill between a part's bytes and its event the blob store is ahead of the log; after
      // one between finishing and LayerUploadCompleted the stored upload is gone.)
      const openUploads = [...repository.openUploads.keys()];
      expect(openUploads.length).toBeGreaterThan(0);
      for (const uploadId of openUploads) {
        const inLog = registry.state.uploads.get(uploadId)?.bytesReceived ?? 0;
        const stored = await storage.blobs.uploadStatus(uploadId).catch((error: unknown) => {
          if (error instanceof UploadUnknownError) return undefined;
          throw error;
        });
        if (stored !== undefined) expect(stored.size, uploadId).toBeGreaterThanOrEqual(inLog);
      }

      // The log: each acknowledged push recorded exactly once; positions strictly increasing; versions gapless.
      const log = await readWholeLog(storage.events);
      for (let i = 1; i < log.length; i++)
        expect(log[i]!.globalPosition > log[i - 1]!.globalPosition).toBe(true);
      const versions = new Map<string, number>();
      for (const event of log) {
        expect(event.streamVersion, event.streamName).toBe((versions.get(event.streamName) ?? 0) + 1);
        versions.set(event.streamName, event.streamVersion);
      }
      for (const ack of acknowledged) {
        const recorded = log.filter(
          (event) =>
            event.type === "ImagePushed" && (event.data as { imageTag?: string }).imageTag === ack.tag,
        );
        expect(
          recorded.map((event) => (event.data as { imageDigest: string }).imageDigest),
          ack.tag,
        ).toEqual([ack.digest]);
      }

      // ---- clients push again: each round's unfinished push, from scratch, through the fresh engine
      for (const { round, push } of unfinished) {
        const config = workerConfig(round);
        const blobs = imageBlobs(config, push);
        for (const bytes of Object.values(blobs)) {
          const digest = sha256Digest(bytes);
          if (
            right(await registry.batchCheckLayerAvailability({ repositoryName, layerDigests: [digest] }))
              .layers.length > 0
          )
            continue;
          const { uploadId } = right(await registry.initiateLayerUpload({ repositoryName }));
          right(
            await registry.uploadLayerPart({
              repositoryName,
              uploadId: uploadId as UploadId,
              partFirstByte: 0,
              partLastByte: bytes.length - 1,
              layerPartBlob: bytes,
            }),
          );
          right(
            await registry.completeLayerUpload({
              repositoryName,
              uploadId,
              layerDigests: [digest],
              rules: "oci",
            }),
          );
        }
        const manifest = manifestOf(blobs);
        const tag = `${round.runId}-${push}` as ImageTag;
        const put = await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: tag });
        // Killed after PutImage committed but before the client heard: the image is already there.
        if (put._tag === "Left") expect(put.left._tag, round.describe).toBe("ImageAlreadyExistsException");
        const got = right(await registry.batchGetImage({ repositoryName, imageIds: [{ imageTag: tag }] }));
        expect(
          got.images.map((image) => image.imageManifest),
          round.describe,
        ).toEqual([manifest]);
        for (const bytes of Object.values(blobs)) {
          const pulled = await readAllBytes(
            right(await registry.readBlob({ repositoryName, digest: sha256Digest(bytes) })),
          );
          expect(pulled.equals(bytes), round.describe).toBe(true);
        }
      }
    } finally {
      await fresh.storage.close();
    }
  }, 80_000);
});
