/** Requests of the ECR operations that upload and check layers, and the members only they use. */
import type * as t from "io-ts";
import { BrandedMembers } from "../kernel/branded-members.js";
import { base64Blob, boundedList, boundedString, structure } from "../kernel/constraint-codecs.js";
import { registryId, repositoryName } from "../kernel/request-members.js";
import { LAYER_PART_MAX_BYTES } from "../values/primitives.js";

const uploadId = BrandedMembers.UploadId;
const partSize = BrandedMembers.PartSize;
const layerPartBlob = base64Blob({ min: 0, max: LAYER_PART_MAX_BYTES }, "LayerPartBlob");
const layerDigest = boundedString({ pattern: "[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+" }, "LayerDigest");
const layerDigests = boundedList(layerDigest, { min: 1, max: 100 }, "LayerDigestList");
const batchedLayerDigests = boundedList(
  boundedString({ min: 0, max: 1000 }, "BatchedOperationLayerDigest"),
  { min: 1, max: 100 },
  "BatchedOperationLayerDigestList",
);

export const InitiateLayerUploadRequest = structure(
  "InitiateLayerUploadRequest",
  { repositoryName },
  { registryId },
);
export type InitiateLayerUploadRequest = t.TypeOf<typeof InitiateLayerUploadRequest>;

/** `layerPartBlob` stays base64 text (or the bytes the edge decoded it to): decoded once, into the blob store. */
export const UploadLayerPartRequest = structure(
  "UploadLayerPartRequest",
  { repositoryName, uploadId, partFirstByte: partSize, partLastByte: partSize, layerPartBlob },
  { registryId },
);
export type UploadLayerPartRequest = t.TypeOf<typeof UploadLayerPartRequest>;

export const CompleteLayerUploadRequest = structure(
  "CompleteLayerUploadRequest",
  { repositoryName, uploadId, layerDigests },
  { registryId },
);
export type CompleteLayerUploadRequest = t.TypeOf<typeof CompleteLayerUploadRequest>;

export const BatchCheckLayerAvailabilityRequest = structure(
  "BatchCheckLayerAvailabilityRequest",
  { repositoryName, layerDigests: batchedLayerDigests },
  { registryId },
);
export type BatchCheckLayerAvailabilityRequest = t.TypeOf<typeof BatchCheckLayerAvailabilityRequest>;

export const GetDownloadUrlForLayerRequest = structure(
  "GetDownloadUrlForLayerRequest",
  { repositoryName, layerDigest },
  { registryId },
);
export type GetDownloadUrlForLayerRequest = t.TypeOf<typeof GetDownloadUrlForLayerRequest>;

export const layerUploadRequests = {
  InitiateLayerUpload: InitiateLayerUploadRequest,
  UploadLayerPart: UploadLayerPartRequest,
  CompleteLayerUpload: CompleteLayerUploadRequest,
  BatchCheckLayerAvailability: BatchCheckLayerAvailabilityRequest,
  GetDownloadUrlForLayer: GetDownloadUrlForLayerRequest,
} as const;
