/** Requests of the ECR operations that upload and check layers. */
import type * as t from "io-ts";
import { structure } from "./constraint-codecs.js";
import {
  batchedLayerDigests,
  layerDigest,
  layerDigests,
  layerPartBlob,
  partSize,
  registryId,
  repositoryName,
  uploadId,
} from "./members.js";

export const InitiateLayerUploadRequest = structure(
  "InitiateLayerUploadRequest",
  { repositoryName },
  { registryId },
);
export type InitiateLayerUploadRequest = t.TypeOf<typeof InitiateLayerUploadRequest>;

/** `layerPartBlob` stays base64 text: the edge decodes it once, into the blob store. */
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
