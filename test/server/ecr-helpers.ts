/** Shared pieces of the ECR server suites: blobs, uploads through the SDK, images, typed failures. */
import {
  CompleteLayerUploadCommand,
  type ECRClient,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { expect } from "vitest";

export { bytesOf, MiB, sha256 } from "../support/bytes.js";

import { sha256 } from "../support/bytes.js";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

/** Uploads `bytes` as one layer in parts of `partSizes` (the rest goes in a last part). */
export async function uploadBlob(
  client: ECRClient,
  repositoryName: string,
  bytes: Uint8Array,
  partSizes: ReadonlyArray<number> = [],
): Promise<string> {
  const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName }));
  let offset = 0;
  for (const size of [...partSizes, bytes.length - partSizes.reduce((a, b) => a + b, 0)]) {
    if (size <= 0) continue;
    const part = await client.send(
      new UploadLayerPartCommand({
        repositoryName,
        uploadId,
        partFirstByte: offset,
        partLastByte: offset + size - 1,
        layerPartBlob: bytes.subarray(offset, offset + size),
      }),
    );
    expect(part.lastByteReceived).toBe(offset + size - 1);
    offset += size;
  }
  const digest = sha256(bytes);
  const completed = await client.send(
    new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [digest] }),
  );
  expect(completed.layerDigest).toBe(digest);
  return digest;
}

export interface BuiltImage {
  readonly manifest: string;
  readonly digest: string;
  readonly configDigest: string;
  readonly config: Uint8Array;
  readonly layerDigests: ReadonlyArray<string>;
}

/** An OCI image manifest over a config and layers (the blobs are not uploaded). */
export function imageManifest(
  config: Uint8Array,
  layers: ReadonlyArray<Uint8Array>,
  annotation = "",
): BuiltImage {
  const configDigest = sha256(config);
  const layerDigests = layers.map((layer) => sha256(layer));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: layers.map((layer, i) => ({ mediaType: OCI_LAYER, digest: layerDigests[i], size: layer.length })),
    ...(annotation === "" ? {} : { annotations: { "org.example.note": annotation } }),
  });
  return { manifest, digest: sha256(manifest), configDigest, config, layerDigests };
}

export const configBlob = (note: string) =>
  new TextEncoder().encode(
    JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, note }),
  );

/** Uploads the config and layers, then puts the manifest (with `tag` when given). */
export async function pushImage(
  client: ECRClient,
  repositoryName: string,
  options: {
    readonly tag?: string;
    readonly layers?: ReadonlyArray<Uint8Array>;
    readonly note?: string;
  } = {},
): Promise<BuiltImage> {
  const layers = options.layers ?? [];
  const image = imageManifest(configBlob(options.note ?? repositoryName), layers, options.note ?? "");
  await uploadBlob(client, repositoryName, image.config);
  for (const layer of layers) await uploadBlob(client, repositoryName, layer);
  const put = await client.send(
    new PutImageCommand({
      repositoryName,
      imageManifest: image.manifest,
      ...(options.tag === undefined ? {} : { imageTag: options.tag }),
    }),
  );
  expect(put.image?.imageId?.imageDigest).toBe(image.digest);
  return image;
}

export interface SdkFailure extends Error {
  readonly $metadata: { readonly httpStatusCode?: number };
  readonly [member: string]: unknown;
}

/** Awaits a call that must fail with the named ECR exception (status 400 unless told); returns it. */
export async function expectEcrError(
  call: Promise<unknown>,
  name: string,
  status = 400,
): Promise<SdkFailure> {
  const outcome = await call.then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok)
    expect.unreachable(`expected ${name}, the call succeeded with ${JSON.stringify(outcome.result)}`);
  const error = outcome.error as SdkFailure;
  expect({ name: error.name, status: error.$metadata?.httpStatusCode }).toEqual({ name, status });
  return error;
}
