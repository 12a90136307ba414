/** Registries on memory or PostgreSQL, and the engine calls the benchmarks repeat. */
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { createPostgresStorage } from "@berth/adapter-postgres";
import type { RepositoryName, UploadId } from "@berth/core";
import { type BlobStore, createRegistry, type EventStore, type Registry } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import pg from "pg";
import { type BlobRef, imageManifest, sha256Of } from "./workload.js";

export interface BenchRegistry {
  readonly registry: Registry;
  readonly events: EventStore;
  readonly blobs: BlobStore;
  close(): Promise<void>;
}

export const memoryRegistry = (events: EventStore = createMemoryEventStore()): BenchRegistry => {
  const blobs = createMemoryBlobStore();
  return { registry: createRegistry({ events, blobs }), events, blobs, close: async () => {} };
};

/** A pg Client class that counts the statements its instances send (round trips, for the figures). */
export const statementCounter = (): { readonly Client: typeof pg.Client; readonly sent: () => number } => {
  let sent = 0;
  class CountingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      const query = this.query.bind(this) as (...args: unknown[]) => unknown;
      (this as { query: unknown }).query = (...args: unknown[]) => {
        sent += 1;
        return query(...args);
      };
    }
  }
  return { Client: CountingClient, sent: () => sent };
};

export const postgresRegistry = async (
  url: string,
  schema: string,
  pool?: { readonly Client: typeof pg.Client },
): Promise<BenchRegistry> => {
  const storage = await createPostgresStorage({ connectionString: url, schema, ...(pool ? { pool } : {}) });
  return {
    registry: createRegistry({ events: storage.events, blobs: storage.blobs }),
    events: storage.events,
    blobs: storage.blobs,
    close: () => storage.close(),
  };
};

/** The Right of an engine answer; a Left is a bug in the benchmark (or the engine), never a figure. */
export const right = <A>(
  what: string,
  either: E.Either<{ readonly _tag: string; readonly message: string }, A>,
): A => {
  if (E.isLeft(either)) throw new Error(`${what}: ${either.left._tag}: ${either.left.message}`);
  return either.right;
};

export const createRepository = async (registry: Registry, name: string): Promise<RepositoryName> => {
  const repositoryName = name as RepositoryName;
  right("CreateRepository", await registry.createRepository({ repositoryName }));
  return repositoryName;
};

/** A whole layer upload through the engine: initiate, the parts in order, complete. */
export const uploadLayer = async (
  registry: Registry,
  repositoryName: RepositoryName,
  parts: ReadonlyArray<Uint8Array>,
  digest: string,
): Promise<BlobRef> => {
  const { uploadId } = right("InitiateLayerUpload", await registry.initiateLayerUpload({ repositoryName }));
  let offset = 0;
  for (const part of parts) {
    right(
      "UploadLayerPart",
      await registry.uploadLayerPart({
        repositoryName,
        uploadId: uploadId as UploadId,
        partFirstByte: offset,
        partLastByte: offset + part.byteLength - 1,
        layerPartBlob: part,
      }),
    );
    offset += part.byteLength;
  }
  right(
    "CompleteLayerUpload",
    await registry.completeLayerUpload({ repositoryName, uploadId, layerDigests: [digest] }),
  );
  return { digest: digest as BlobRef["digest"], size: offset };
};

/** Small unique bytes: `size` bytes starting with `label`. */
export const labelledBytes = (label: string, size: number): Buffer => {
  const bytes = Buffer.alloc(size, 0x2e);
  bytes.write(label, "utf8");
  return bytes;
};

/** A config and a layer in `repositoryName`, so manifests referencing them pass PutImage's checks. */
export const uploadImageBlobs = async (
  registry: Registry,
  repositoryName: RepositoryName,
): Promise<{ config: BlobRef; layer: BlobRef }> => {
  const configBytes = labelledBytes(`{"config":"${repositoryName}"}`, 1_200);
  const layerBytes = labelledBytes(`layer of ${repositoryName}`, 64 * 1024);
  const config = await uploadLayer(registry, repositoryName, [configBytes], sha256Of(configBytes));
  const layer = await uploadLayer(registry, repositoryName, [layerBytes], sha256Of(layerBytes));
  return { config, layer };
};

/** PutImage of manifest number `n` (unique) under tag `v<n>`. */
export const putImage = async (
  registry: Registry,
  repositoryName: RepositoryName,
  blobs: { config: BlobRef; layer: BlobRef },
  n: number,
): Promise<void> => {
  const manifest = imageManifest(blobs.config, [blobs.layer], `rev-${n}`);
  right(
    "PutImage",
    await registry.putImage({ repositoryName, imageManifest: manifest, imageTag: `v${n}` as never }),
  );
};
