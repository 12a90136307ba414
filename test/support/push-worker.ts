/**
 * A push client with an engine of its own, meant to run in a separate node process that a test
 * kills (see engine-process.ts, which runs this file with plain node against the built `dist/`
 * packages). It pushes a stream of images into one repository on Postgres, each as docker does it
 * (layer availability check, then per layer: initiate, parts, complete; then PutImage), and prints
 * one JSON line per step on stdout: an `ack` line is printed only once PutImage has answered, so
 * the lines are exactly what the client was told.
 *
 * With `crash`, it kills itself (SIGKILL) right after the blob store's n-th append or finish, the
 * windows where the bytes are stored but the event that records them is not.
 *
 * Only type-erasable TypeScript here: the file is transpiled, not type-checked, before it runs.
 */
import { createHash } from "node:crypto";
import { createPostgresStorage } from "@berth/adapter-postgres";
import type { RepositoryName, UploadId } from "@berth/core";
import { type BlobStore, createRegistry } from "@berth/engine";

export interface PushWorkerConfig {
  readonly connectionString: string;
  readonly schema: string;
  readonly repositoryName: string;
  /** Names this worker's images (tag `<runId>-<push>`) and seeds their bytes. */
  readonly runId: string;
  readonly pushes: number;
  /** The own layer of each image: `partsPerLayer` parts of `partSize` bytes (the last one a little short). */
  readonly partSize: number;
  readonly partsPerLayer: number;
  /** Parts stream in 16 KiB pieces with this pause between them, so that a kill can land mid-part. */
  readonly pieceDelayMs: number;
  readonly crash?: { readonly after: "append" | "finish"; readonly nth: number };
}

export interface PushedLayer {
  readonly digest: string;
  readonly size: number;
}

export type WorkerLine =
  | { readonly type: "ready" }
  | { readonly type: "streaming"; readonly push: number; readonly blob: string; readonly part: number }
  | {
      readonly type: "part";
      readonly push: number;
      readonly blob: string;
      readonly part: number;
      readonly lastByte: number;
    }
  | {
      readonly type: "layer";
      readonly push: number;
      readonly blob: string;
      readonly digest: string;
      readonly outcome: string;
    }
  | {
      readonly type: "ack";
      readonly push: number;
      readonly tag: string;
      readonly digest: string;
      readonly manifest: string;
      readonly layers: ReadonlyArray<PushedLayer>;
    }
  | { readonly type: "crashing"; readonly after: string; readonly nth: number }
  | { readonly type: "failed"; readonly push: number; readonly step: string; readonly error: string }
  | { readonly type: "done" };

const PIECE = 16 * 1024;

const sha256Of = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** Deterministic bytes: sha256 in counter mode over `label`. */
export const bytesOf = (label: string, length: number): Buffer => {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++)
    blocks.push(createHash("sha256").update(`${label}/${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
};

/** The blobs of push `push`: its config, the base layer every push shares, and a layer of its own. */
export const imageBlobs = (
  config: Pick<PushWorkerConfig, "runId" | "partSize" | "partsPerLayer">,
  push: number,
) => ({
  config: Buffer.from(`{"architecture":"amd64","os":"linux","run":"${config.runId}","push":${push}}`),
  base: bytesOf("base-layer", 3 * config.partSize - 7),
  own: bytesOf(`${config.runId}/${push}`, config.partsPerLayer * config.partSize - 123),
});

/** The manifest of push `push` (with a trailing newline: registries keep manifests byte for byte). */
export const manifestOf = (blobs: ReturnType<typeof imageBlobs>): string =>
  `${JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha256Of(blobs.config),
        size: blobs.config.length,
      },
      layers: [blobs.base, blobs.own].map((layer) => ({
        mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
        digest: sha256Of(layer),
        size: layer.length,
      })),
    },
    null,
    3,
  )}\n`;

const print = (line: WorkerLine) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The blob store, killing the process right after its n-th append or finish when asked to. Those
 * windows exist only between separate steps: a crashing store offers no joint ones (which commit the
 * bytes with their event), so the engine takes the separate steps it falls back to.
 */
const crashing = (store: BlobStore, crash: PushWorkerConfig["crash"]): BlobStore => {
  if (crash === undefined) return store;
  const { joint: _, ...inner } = store;
  let count = 0;
  const maybeDie = (after: "append" | "finish") => {
    if (after !== crash.after || ++count !== crash.nth) return;
    print({ type: "crashing", after, nth: count });
    process.kill(process.pid, "SIGKILL");
  };
  return {
    ...inner,
    async appendToUpload(uploadId, offset, chunk) {
      const appended = await inner.appendToUpload(uploadId, offset, chunk);
      maybeDie("append");
      return appended;
    },
    async finishUpload(uploadId, expected) {
      const finished = await inner.finishUpload(uploadId, expected);
      maybeDie("finish");
      return finished;
    },
  };
};

export async function runPushWorker(config: PushWorkerConfig): Promise<void> {
  const storage = await createPostgresStorage({
    connectionString: config.connectionString,
    schema: config.schema,
    migrate: false,
    pool: { max: 2 },
  });
  const registry = createRegistry({ events: storage.events, blobs: crashing(storage.blobs, config.crash) });
  const repositoryName = config.repositoryName as RepositoryName;
  const fail = (push: number, step: string, error: { _tag: string; message: string }) => {
    print({ type: "failed", push, step, error: `${error._tag}: ${error.message}` });
    process.exit(1);
  };
  print({ type: "ready" });

  for (let push = 0; push < config.pushes; push++) {
    const blobs = imageBlobs(config, push);
    for (const [name, bytes] of Object.entries(blobs)) {
      const digest = sha256Of(bytes);
      const available = await registry.batchCheckLayerAvailability({
        repositoryName,
        layerDigests: [digest],
      });
      if (available._tag === "Left") return fail(push, "check", available.left);
      if (available.right.layers.length > 0) {
        print({ type: "layer", push, blob: name, digest, outcome: "available" });
        continue;
      }
      const initiated = await registry.initiateLayerUpload({ repositoryName });
      if (initiated._tag === "Left") return fail(push, "initiate", initiated.left);
      const uploadId: UploadId = initiated.right.uploadId;
      for (let part = 0, first = 0; first < bytes.length; part++, first += config.partSize) {
        const last = Math.min(first + config.partSize, bytes.length) - 1;
        const pieces = async function* () {
          print({ type: "streaming", push, blob: name, part });
          for (let at = first; at <= last; at += PIECE) {
            if (at > first) await sleep(config.pieceDelayMs);
            yield bytes.subarray(at, Math.min(at + PIECE, last + 1));
          }
        };
        const written = await registry.uploadLayerPart({
          repositoryName,
          uploadId,
          partFirstByte: first,
          partLastByte: last,
          layerPartBlob: pieces(),
        });
        if (written._tag === "Left") return fail(push, `part ${part} of ${name}`, written.left);
        print({ type: "part", push, blob: name, part, lastByte: last });
      }
      const completed = await registry.completeLayerUpload({
        repositoryName,
        uploadId,
        layerDigests: [digest],
        rules: "oci",
      });
      if (completed._tag === "Left" && completed.left._tag !== "LayerAlreadyExistsException") {
        return fail(push, `complete ${name}`, completed.left);
      }
      print({
        type: "layer",
        push,
        blob: name,
        digest,
        outcome: completed._tag === "Right" ? "completed" : "existed",
      });
    }
    const manifest = manifestOf(blobs);
    const tag = `${config.runId}-${push}`;
    const put = await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: tag as never });
    if (put._tag === "Left") return fail(push, "put", put.left);
    print({
      type: "ack",
      push,
      tag,
      digest: put.right.image.imageId.imageDigest,
      manifest,
      layers: [blobs.config, blobs.base, blobs.own].map((bytes) => ({
        digest: sha256Of(bytes),
        size: bytes.length,
      })),
    });
  }
  print({ type: "done" });
  await storage.close();
}

const workerConfig = process.env.BERTH_PUSH_WORKER_CONFIG;
if (workerConfig !== undefined) await runPushWorker(JSON.parse(workerConfig) as PushWorkerConfig);
