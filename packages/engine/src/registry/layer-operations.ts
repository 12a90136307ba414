/**
 * Layers: the ECR upload operations (and the OCI upload session on the same commands), layer
 * availability, cross-repository mounts, and blob reads scoped to the repository that holds them.
 */
import {
  batchCheckLayerAvailability,
  type Digest,
  downloadableLayer,
  LAYER_PART_MIN_BYTES,
  type LayerState,
  RegistryErrors,
  type RegistryId,
  type RepositoryName,
  repositoryBlob,
  type Timestamp,
  type UploadId,
  type UploadRules,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { LayerBytes } from "../layer-bytes.js";
import type { ByteRange } from "../ports/blob-store.js";
import { retainBlob } from "./blob-retention.js";
import type { AnswerOf, RegistryRuntime, RepositoryInput, Result } from "./registry-runtime.js";
import { completeUpload } from "./upload-completion.js";
import { discardUpload, initiateUpload, openUpload, writePart } from "./upload-saga.js";

/** ECR's partSize hint for InitiateLayerUpload: the minimum part (5 MiB). */
export const PART_SIZE = LAYER_PART_MIN_BYTES;

interface UploadRef {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly uploadId: UploadId;
}

export interface UploadInput extends RepositoryInput {
  readonly uploadId: UploadId;
}

export interface LayerOperations {
  /** ECR InitiateLayerUpload (OCI POST …/blobs/uploads/): a new session and the part size hint. */
  initiateLayerUpload(input: RepositoryInput): Result<{ uploadId: UploadId; partSize: number }>;
  /**
   * ECR UploadLayerPart (OCI PATCH with Content-Range): streams one part into the upload. The range
   * is checked against the log before a byte is written, the byte count against the range while
   * streaming: a refused part leaves the blob store and the log as they were.
   */
  uploadLayerPart(
    input: UploadInput & {
      readonly partFirstByte: number;
      readonly partLastByte: number;
      readonly layerPartBlob: LayerBytes;
    },
  ): Result<UploadRef & { lastByteReceived: number }>;
  /** Appends whatever bytes arrive at the end of the upload (OCI PATCH without Content-Range). */
  appendToLayerUpload(input: UploadInput & { readonly bytes: LayerBytes }): Result<{ size: number }>;
  /** How many bytes an open upload holds (OCI upload status). */
  layerUploadProgress(input: UploadInput): Result<{ size: number }>;
  /**
   * ECR CompleteLayerUpload (OCI PUT ?digest=): the measured size and sha256 are decided on by the
   * core; bytes that fail their digest are discarded. `rules` are ECR's unless told "oci".
   */
  completeLayerUpload(
    input: UploadInput & {
      readonly layerDigests: ReadonlyArray<string>;
      readonly rules?: UploadRules;
    },
  ): Result<UploadRef & { layerDigest: string }>;
  /** Cancels an upload: the session is closed and its bytes dropped (OCI DELETE). */
  discardLayerUpload(input: UploadInput & { readonly reason?: string }): Result<Record<string, never>>;
  /** Links a layer another repository of the registry holds (OCI cross-repository mount). */
  mountLayer(
    input: RepositoryInput & { readonly layerDigest: Digest; readonly fromRepository: RepositoryName },
  ): Result<{ layerDigest: Digest }>;
  /** ECR BatchCheckLayerAvailability. */
  batchCheckLayerAvailability(
    input: RepositoryInput & { readonly layerDigests: ReadonlyArray<string> },
  ): Result<AnswerOf<typeof batchCheckLayerAvailability>>;
  /** The layer GetDownloadUrlForLayer may serve; the HTTP edge turns it into a signed URL. */
  getDownloadableLayer(
    input: RepositoryInput & { readonly layerDigest: string },
  ): Result<AnswerOf<typeof downloadableLayer>>;
  /** A blob (layer or config) the repository holds; LayersNotFoundException when it holds none such. */
  statBlob(input: RepositoryInput & { readonly digest: Digest }): Result<LayerState>;
  /**
   * Streams a blob the repository holds, or the inclusive `range` of it (which must lie inside the
   * blob); LayersNotFoundException when the repository holds no such blob.
   */
  readBlob(
    input: RepositoryInput & { readonly digest: Digest; readonly range?: ByteRange; readonly lend?: boolean },
  ): Result<AsyncIterable<Uint8Array>>;
  /**
   * A URL that serves a blob the repository holds for `expiresInSeconds` without Berth (an S3
   * presigned GET), or undefined when the blob store cannot make one (BlobStore.presignRead);
   * LayersNotFoundException when the repository holds no such blob.
   */
  presignedBlobUrl(
    input: RepositoryInput & { readonly digest: Digest; readonly expiresInSeconds: number },
  ): Result<string | undefined>;
}

export const layerOperations = (runtime: RegistryRuntime): LayerOperations => {
  const { now, run, query, refOf, blobs } = runtime;
  const uploadRefOf = (input: UploadInput): UploadRef => ({ ...refOf(input), uploadId: input.uploadId });

  const statBlob: LayerOperations["statBlob"] = (input) =>
    query((state) => {
      const ref = refOf(input);
      return E.flatMap((layer: LayerState | undefined) =>
        layer === undefined
          ? E.left(RegistryErrors.layersNotFound(`Blob ${input.digest} is not in ${ref.repositoryName}`))
          : E.right(layer),
      )(repositoryBlob(state, { ...ref, digest: input.digest }));
    });

  return {
    initiateLayerUpload: async (input) =>
      E.map(({ uploadId }: { uploadId: UploadId }) => ({ uploadId, partSize: PART_SIZE }))(
        await initiateUpload(runtime, refOf(input)),
      ),

    uploadLayerPart: async (input) => {
      const range = { first: input.partFirstByte, last: input.partLastByte };
      const written = await writePart(runtime, refOf(input), input.uploadId, input.layerPartBlob, range);
      return E.map(() => ({ ...uploadRefOf(input), lastByteReceived: input.partLastByte }))(written);
    },

    appendToLayerUpload: (input) => writePart(runtime, refOf(input), input.uploadId, input.bytes, undefined),

    layerUploadProgress: (input) =>
      query(() => {
        const upload = openUpload(runtime, refOf(input), input.uploadId);
        return upload === undefined
          ? E.left(RegistryErrors.uploadNotFound(input.uploadId, input.repositoryName))
          : E.right({ size: upload.bytesReceived });
      }),

    completeLayerUpload: async (input) => {
      const ref = uploadRefOf(input);
      const completed = await completeUpload(
        runtime,
        ref,
        input.uploadId,
        input.layerDigests,
        input.rules ?? "ecr",
      );
      return E.map(({ layerDigest }: { layerDigest: string }) => ({ ...ref, layerDigest }))(completed);
    },

    discardLayerUpload: (input) =>
      discardUpload(runtime, refOf(input), input.uploadId, input.reason ?? "cancelled by the client"),

    mountLayer: async (input) => {
      // A mount links the blob again: keep the sweep from collecting it meanwhile. A refused mount
      // leaves the retention to lapse after an upload's lifetime.
      const retentionId = runtime.newId();
      const mountedAt = now();
      await retainBlob(runtime, input.layerDigest, retentionId, (mountedAt + runtime.uploadTtl) as Timestamp);
      return run(
        {
          type: "MountLayer",
          data: {
            ...refOf(input),
            layerDigest: input.layerDigest,
            fromRepository: input.fromRepository,
            mountedAt,
            retentionId,
          },
        },
        () => ({ layerDigest: input.layerDigest }),
      );
    },

    batchCheckLayerAvailability: (input) =>
      query((state) => batchCheckLayerAvailability(state, { ...input, ...refOf(input) })),
    getDownloadableLayer: (input) =>
      query((state) => downloadableLayer(state, { ...input, ...refOf(input) })),

    statBlob,
    readBlob: async (input) => {
      const held = await statBlob(input);
      return E.isLeft(held)
        ? held
        : E.right(await blobs.read(input.digest, input.range, { lend: input.lend === true }));
    },
    presignedBlobUrl: async (input) => {
      if (blobs.presignRead === undefined) return E.right(undefined);
      const held = await statBlob(input);
      return E.isLeft(held) ? held : E.right(await blobs.presignRead(input.digest, input.expiresInSeconds));
    },
  };
};
