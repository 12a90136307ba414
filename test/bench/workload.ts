/**
 * What the benchmarks push: OCI image manifests, and event logs shaped like a registry's real life
 * (layer uploads in parts, tagged pushes, a moving `latest`, untags and deletes), generated from a
 * seed so every run folds the same log.
 */
import { createHash } from "node:crypto";
import {
  type BerthEvent,
  type ByteOffset,
  type Digest,
  type ImageTag,
  type MediaType,
  MediaTypes,
  type RegistryId,
  type RepositoryName,
  type Timestamp,
  type UploadId,
} from "@berth/core";
import { seededRandom } from "./measure.js";

export const REGISTRY_ID = "000000000000" as RegistryId;
const CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
const LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
const PART_BYTES = 20 * 1024 * 1024;

export const sha256Of = (data: string | Uint8Array): Digest =>
  `sha256:${createHash("sha256").update(data).digest("hex")}` as Digest;

export interface BlobRef {
  readonly digest: Digest;
  readonly size: number;
}

/** An OCI image manifest as docker writes it (indented), made unique by `revision`. */
export const imageManifest = (config: BlobRef, layers: ReadonlyArray<BlobRef>, revision: string): string =>
  JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: CONFIG_TYPE, digest: config.digest, size: config.size },
      layers: layers.map((layer) => ({ mediaType: LAYER_TYPE, digest: layer.digest, size: layer.size })),
      annotations: {
        "org.opencontainers.image.revision": revision,
        "org.opencontainers.image.created": "2025-01-01T00:00:00Z",
      },
    },
    null,
    3,
  );

/** A made-up blob: a random-looking digest and a size; its bytes never exist. */
export const fakeBlob = (name: string, size: number): BlobRef => ({ digest: sha256Of(name), size });

/** A uuid from a counter (version 4 layout), so generated logs are reproducible. */
const uploadIdOf = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}` as UploadId;

/** The ImagePushed event PutImage would decide for `manifest` (an image manifest of `blobs`). */
export const imagePushed = (
  repositoryName: RepositoryName,
  manifest: string,
  blobs: ReadonlyArray<BlobRef>,
  tag: string | undefined,
  pushedAt: number,
): BerthEvent => ({
  type: "ImagePushed",
  data: {
    registryId: REGISTRY_ID,
    repositoryName,
    imageDigest: sha256Of(manifest),
    imageManifest: manifest,
    imageManifestMediaType: MediaTypes.ociManifest as MediaType,
    artifactMediaType: CONFIG_TYPE as MediaType,
    ...(tag === undefined ? {} : { imageTag: tag as ImageTag }),
    imageSizeInBytes: blobs.slice(1).reduce((sum, blob) => sum + blob.size, 0),
    blobs: blobs.map((blob) => blob.digest),
    children: [],
    pushedAt: pushedAt as Timestamp,
  },
});

export const repositoryCreated = (repositoryName: RepositoryName, createdAt: number): BerthEvent => ({
  type: "RepositoryCreated",
  data: {
    registryId: REGISTRY_ID,
    repositoryName,
    createdAt: createdAt as Timestamp,
    imageTagMutability: "MUTABLE",
    imageTagMutabilityExclusionFilters: [],
    scanOnPush: false,
    encryptionType: "AES256",
    tags: [],
  },
});

export interface RealisticLogOptions {
  readonly repositories: ReadonlyArray<RepositoryName>;
  readonly events: number;
  readonly seed: number;
}

/**
 * A registry's log of exactly `events` events: each push uploads a config and 1–3 new layers (in
 * 20 MiB parts, as ECR clients send them) on top of its repository's base layers, then pushes the
 * manifest under a unique tag; a third of pushes also move `latest`; some pushes are followed by an
 * untag or the deletion of an older image; a few uploads are abandoned.
 */
export function realisticLog(options: RealisticLogOptions): BerthEvent[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: ReadonlyArray<T>) => items[Math.floor(random() * items.length)]!;
  const log: BerthEvent[] = [];
  let clock = Date.UTC(2025, 0, 1);
  const tick = () => {
    clock += 1000;
    return clock as Timestamp;
  };
  let uploads = 0;
  let blobs = 0;

  interface Repo {
    readonly name: RepositoryName;
    readonly base: ReadonlyArray<BlobRef>;
    readonly live: Array<{ digest: Digest; tag: string }>;
    pushes: number;
  }
  const repos: Repo[] = options.repositories.map((name) => ({
    name,
    base: [fakeBlob(`${name}/base-0`, 30_000_000), fakeBlob(`${name}/base-1`, 8_000_000)],
    live: [],
    pushes: 0,
  }));

  const push = (event: BerthEvent) => {
    if (log.length < options.events) log.push(event);
  };
  const upload = (repo: Repo, size: number, abandon: boolean): BlobRef => {
    const ref = { registryId: REGISTRY_ID, repositoryName: repo.name };
    const uploadId = uploadIdOf(++uploads);
    const blob = fakeBlob(`${repo.name}/blob-${++blobs}`, size);
    push({ type: "LayerUploadInitiated", data: { ...ref, uploadId, initiatedAt: tick() } });
    for (let first = 0; first < size; first += PART_BYTES) {
      const last = Math.min(first + PART_BYTES, size) - 1;
      push({
        type: "LayerPartUploaded",
        data: { ...ref, uploadId, partFirstByte: first as ByteOffset, partLastByte: last as ByteOffset },
      });
    }
    if (abandon) {
      push({ type: "LayerUploadDiscarded", data: { ...ref, uploadId, reason: "cancelled by the client" } });
    } else {
      push({
        type: "LayerUploadCompleted",
        data: { ...ref, uploadId, layerDigest: blob.digest, size: size as ByteOffset, completedAt: tick() },
      });
    }
    return blob;
  };

  for (const repo of repos) {
    push(repositoryCreated(repo.name, tick()));
    for (const base of repo.base) {
      push({
        type: "LayerLinked",
        data: {
          registryId: REGISTRY_ID,
          repositoryName: repo.name,
          layerDigest: base.digest,
          size: base.size as ByteOffset,
          fromRepository: repo.name,
          linkedAt: tick(),
        },
      });
    }
  }
  while (log.length < options.events) {
    const repo = pick(repos);
    const ref = { registryId: REGISTRY_ID, repositoryName: repo.name };
    if (random() < 0.03) upload(repo, 5_000_000 + Math.floor(random() * 50_000_000), true);
    const config = upload(repo, 1_000 + Math.floor(random() * 8_000), false);
    const layers = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      upload(repo, 10_000 + Math.floor(random() * 60_000_000), false),
    );
    const tag = `build-${++repo.pushes}`;
    const manifest = imageManifest(config, [...repo.base, ...layers], `${repo.name}@${repo.pushes}`);
    const pushed = imagePushed(repo.name, manifest, [config, ...repo.base, ...layers], tag, tick());
    push(pushed);
    const digest = (pushed.data as { imageDigest: Digest }).imageDigest;
    repo.live.push({ digest, tag });
    if (random() < 1 / 3) {
      push({
        type: "ImageTagged",
        data: { ...ref, imageDigest: digest, imageTag: "latest" as ImageTag, taggedAt: tick() },
      });
    }
    const roll = random();
    if (roll < 0.2 && repo.live.length > 10) {
      // Clean-up of an older image (never the newest ten).
      const [victim] = repo.live.splice(Math.floor(random() * (repo.live.length - 10)), 1);
      push({ type: "ImageDeleted", data: { ...ref, imageDigest: victim!.digest } });
    } else if (roll < 0.25 && repo.live.length > 10) {
      const victim = repo.live[Math.floor(random() * (repo.live.length - 10))]!;
      push({
        type: "ImageUntagged",
        data: { ...ref, imageDigest: victim.digest, imageTag: victim.tag as ImageTag },
      });
    }
  }
  return log;
}

/** How many events of each type a log holds (for the report). */
export const countByType = (log: ReadonlyArray<BerthEvent>): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const event of log) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
};
