/**
 * The log of the scale section: `images` images pushed round-robin into `repositories` repositories
 * (image i goes to repository i mod repositories), each event what the real commands record. A
 * repository starts with RepositoryCreated and the upload of its two base layers; each image then
 * uploads its own config and layer (InitiateLayerUpload, its 20 MiB parts, CompleteLayerUpload) and
 * PutImage records the ImagePushed of a manifest of the config and 2–3 layers: the repository's first
 * base layer, every other image its second, and its own. Nine images in ten are pushed with a tag;
 * every tenth push of a repository also moves `latest` (ImageTagged). Every image stays, so the
 * digest of image i is a pure function of i (`scaleImage`) and any image can be asked for.
 */
import {
  type BerthEvent,
  type ByteOffset,
  DEFAULT_UPLOAD_TTL_MS,
  type Digest,
  type ImageTag,
  type MediaType,
  MediaTypes,
  parseManifest,
  type RepositoryName,
  streamOf,
  type Timestamp,
  type UploadId,
} from "@berth/core";
import type { EventRow } from "./postgres-schemas.js";
import {
  type BlobRef,
  fakeBlob,
  imageManifest,
  REGISTRY_ID,
  repositoryCreated,
  sha256Of,
} from "./workload.js";

const PART_BYTES = 20 * 1024 * 1024;
const START = Date.UTC(2025, 0, 1);

export interface ScaleShape {
  readonly images: number;
  readonly repositories: number;
}

export const scaleRepository = (r: number) =>
  `scale/team-${String(r).padStart(4, "0")}/app` as RepositoryName;

const baseLayers = (repository: RepositoryName): readonly [BlobRef, BlobRef] => [
  fakeBlob(`${repository}/base-0`, 30_000_000),
  fakeBlob(`${repository}/base-1`, 8_000_000),
];

/** A size in [from, to) that depends only on `key` (sizes vary, yet image i is always the same image). */
const sizeOf = (key: number, from: number, to: number) =>
  from + (((key * 2_654_435_761) % 4_294_967_296) % (to - from));

export interface ScaleImage {
  readonly repositoryName: RepositoryName;
  /** The image's number in its repository, from 0. */
  readonly n: number;
  readonly config: BlobRef;
  readonly layers: ReadonlyArray<BlobRef>;
  readonly manifest: string;
  readonly digest: Digest;
  readonly tag: string | undefined;
}

export const scaleImage = (shape: ScaleShape, i: number): ScaleImage => {
  const repositoryName = scaleRepository(i % shape.repositories);
  const n = Math.floor(i / shape.repositories);
  const [base0, base1] = baseLayers(repositoryName);
  const config = fakeBlob(`scale/${i}/config`, sizeOf(i, 1_000, 9_000));
  const own = fakeBlob(`scale/${i}/layer`, sizeOf(i + 7, 10_000, 40_000_000));
  const layers = n % 2 === 0 ? [base0, base1, own] : [base0, own];
  const manifest = imageManifest(config, layers, `${repositoryName}@${n}`);
  return {
    repositoryName,
    n,
    config,
    layers,
    manifest,
    digest: sha256Of(manifest),
    tag: i % 10 === 9 ? undefined : `build-${n}`,
  };
};

/** Generates the log in order, handing out events with the stream versions they take. */
export class ScaleLog {
  private clock = START;
  private uploads = 0;
  private readonly versions: number[];

  constructor(private readonly shape: ScaleShape) {
    this.versions = new Array<number>(shape.repositories).fill(0);
  }

  /** The events of image i (of its repository first, when i is the repository's first image). */
  eventsOf(i: number, emit: (event: BerthEvent, version: number) => void): void {
    const r = i % this.shape.repositories;
    const image = scaleImage(this.shape, i);
    const inRepository = (event: BerthEvent) => emit(event, ++this.versions[r]!);
    const ref = { registryId: REGISTRY_ID, repositoryName: image.repositoryName };
    if (image.n === 0) {
      inRepository(repositoryCreated(image.repositoryName, this.tick()));
      for (const base of baseLayers(image.repositoryName)) this.upload(ref, base, inRepository, emit);
    }
    this.upload(ref, image.config, inRepository, emit);
    this.upload(ref, image.layers.at(-1)!, inRepository, emit);
    inRepository(this.pushed(image));
    if (image.n % 10 === 9) {
      inRepository({
        type: "ImageTagged",
        data: { ...ref, imageDigest: image.digest, imageTag: "latest" as ImageTag, taggedAt: this.tick() },
      });
    }
  }

  private tick() {
    this.clock += 1000;
    return this.clock as Timestamp;
  }

  private upload(
    ref: { readonly registryId: typeof REGISTRY_ID; readonly repositoryName: RepositoryName },
    blob: BlobRef,
    inRepository: (event: BerthEvent) => void,
    emit: (event: BerthEvent, version: number) => void,
  ) {
    const uploadId = `00000000-0000-4000-8000-${(++this.uploads).toString(16).padStart(12, "0")}` as UploadId;
    const initiatedAt = this.tick();
    const expiresAt = (initiatedAt + DEFAULT_UPLOAD_TTL_MS) as Timestamp;
    inRepository({ type: "LayerUploadInitiated", data: { ...ref, uploadId, initiatedAt, expiresAt } });
    let part = 0;
    for (let first = 0; first < blob.size; first += PART_BYTES) {
      const last = Math.min(first + PART_BYTES, blob.size) - 1;
      const data = { ...ref, uploadId, partFirstByte: first as ByteOffset, partLastByte: last as ByteOffset };
      emit({ type: "LayerPartUploaded", data }, ++part); // the upload's own stream
    }
    inRepository({
      type: "LayerUploadCompleted",
      data: {
        ...ref,
        uploadId,
        layerDigest: blob.digest,
        size: blob.size as ByteOffset,
        completedAt: this.tick(),
      },
    });
  }

  /** ImagePushed as decidePutImage records it, from the same parse of the manifest. */
  private pushed(image: ScaleImage): BerthEvent {
    const parsed = parseManifest(image.manifest, MediaTypes.ociManifest as MediaType);
    if (parsed._tag === "Left") throw new Error(parsed.left.message);
    const manifest = parsed.right;
    return {
      type: "ImagePushed",
      data: {
        registryId: REGISTRY_ID,
        repositoryName: image.repositoryName,
        imageDigest: image.digest,
        imageManifest: image.manifest,
        imageManifestMediaType: manifest.mediaType,
        ...(manifest.artifactMediaType === undefined
          ? {}
          : { artifactMediaType: manifest.artifactMediaType }),
        ...(image.tag === undefined ? {} : { imageTag: image.tag as ImageTag }),
        imageSizeInBytes: manifest.size,
        blobs: manifest.blobs,
        blobMediaTypes: manifest.blobMediaTypes,
        children: manifest.children,
        pushedAt: this.tick(),
      },
    };
  }
}

/** The rows of images [from, to), in log order. */
export const rowsOf = (log: ScaleLog, from: number, to: number): EventRow[] => {
  const rows: EventRow[] = [];
  for (let i = from; i < to; i++) {
    log.eventsOf(i, (event, version) =>
      rows.push({
        stream_name: streamOf(event),
        stream_version: version,
        type: event.type,
        data: event.data,
      }),
    );
  }
  return rows;
};
