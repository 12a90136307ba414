/** Pushing layers and images the way a client does, for scenarios (and adapter-specific tests). */
import { randomBytes, randomUUID } from "node:crypto";
import { RepositoryName, type UploadId } from "@berth/core";
import type { Registry } from "@berth/engine";
import { expect } from "vitest";
import { branded } from "./branded.js";
import { type LayerBlob, layerBlobOf } from "./layer-blobs.js";
import {
  CONVENTIONAL_STYLE,
  imageManifestOf,
  type ManifestDraft,
  type ManifestStyle,
} from "./manifest-arbitraries.js";
import { expectRight } from "./registry-outcomes.js";

/** A repository name no other test uses (the stores may be shared across tests). */
export const uniqueRepositoryName = (label: string): RepositoryName =>
  branded(RepositoryName, `scenarios/${label}-${randomUUID().slice(0, 8)}`);

export interface PushLayerOptions {
  /** Where to cut the bytes into parts (default: one part). */
  readonly partSizes?: ReadonlyArray<number>;
  /** "oci" accepts non-final parts under 5 MiB (default "ecr"). */
  readonly rules?: "ecr" | "oci";
}

/** InitiateLayerUpload and one UploadLayerPart per part: an upload holding `bytes`, left open. */
export const openLayerUpload = async (
  registry: Registry,
  repositoryName: RepositoryName,
  bytes: Uint8Array,
  partSizes: ReadonlyArray<number> = [],
): Promise<UploadId> => {
  const { uploadId } = expectRight(await registry.initiateLayerUpload({ repositoryName }));
  let first = 0;
  for (const size of [...partSizes, bytes.length]) {
    const last = Math.min(first + size, bytes.length) - 1;
    if (last < first) break;
    const answer = expectRight(
      await registry.uploadLayerPart({
        repositoryName,
        uploadId,
        partFirstByte: first,
        partLastByte: last,
        layerPartBlob: bytes.subarray(first, last + 1),
      }),
    );
    expect(answer.lastByteReceived).toBe(last);
    first = last + 1;
  }
  return uploadId;
};

/** InitiateLayerUpload, one UploadLayerPart per part, CompleteLayerUpload: the layer as a client pushes it. */
export const pushLayer = async (
  registry: Registry,
  repositoryName: RepositoryName,
  bytes: Uint8Array,
  options: PushLayerOptions = {},
): Promise<LayerBlob> => {
  const uploadId = await openLayerUpload(registry, repositoryName, bytes, options.partSizes);
  const blob = layerBlobOf(bytes);
  const completed = expectRight(
    await registry.completeLayerUpload({
      repositoryName,
      uploadId,
      layerDigests: [blob.digest],
      ...(options.rules === undefined ? {} : { rules: options.rules }),
    }),
  );
  expect(completed.layerDigest).toBe(blob.digest);
  return blob;
};

/** A config blob and `layerCount` layers pushed into `repositoryName`, and an image manifest over them. */
export const pushImageBlobs = async (
  registry: Registry,
  repositoryName: RepositoryName,
  options: {
    readonly layerCount?: number;
    readonly style?: ManifestStyle;
    readonly format?: "docker" | "oci";
  } = {},
): Promise<{ config: LayerBlob; layers: LayerBlob[]; manifest: ManifestDraft }> => {
  const config = await pushLayer(registry, repositoryName, Buffer.from(JSON.stringify({ id: randomUUID() })));
  const layers: LayerBlob[] = [];
  for (let i = 0; i < (options.layerCount ?? 1); i++) {
    layers.push(await pushLayer(registry, repositoryName, randomBytes(100 + i * 37)));
  }
  const manifest = imageManifestOf(config, layers, {
    format: options.format ?? "oci",
    style: options.style ?? CONVENTIONAL_STYLE,
  });
  return { config, layers, manifest };
};
