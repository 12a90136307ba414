/** Requests of the ECR operations on images. */
import type * as t from "io-ts";
import { structure } from "./constraint-codecs.js";
import {
  acceptedMediaTypes,
  imageDigest,
  imageIds,
  imageManifest,
  imagesFilter,
  imageTag,
  maxResults,
  mediaType,
  nextToken,
  registryId,
  repositoryName,
} from "./members.js";

export const PutImageRequest = structure(
  "PutImageRequest",
  { repositoryName, imageManifest },
  { registryId, imageManifestMediaType: mediaType, imageTag, imageDigest },
);
export type PutImageRequest = t.TypeOf<typeof PutImageRequest>;

export const BatchGetImageRequest = structure(
  "BatchGetImageRequest",
  { repositoryName, imageIds },
  { registryId, acceptedMediaTypes },
);
export type BatchGetImageRequest = t.TypeOf<typeof BatchGetImageRequest>;

export const BatchDeleteImageRequest = structure(
  "BatchDeleteImageRequest",
  { repositoryName, imageIds },
  { registryId },
);
export type BatchDeleteImageRequest = t.TypeOf<typeof BatchDeleteImageRequest>;

export const DescribeImagesRequest = structure(
  "DescribeImagesRequest",
  { repositoryName },
  { registryId, imageIds, nextToken, maxResults, filter: imagesFilter },
);
export type DescribeImagesRequest = t.TypeOf<typeof DescribeImagesRequest>;

export const ListImagesRequest = structure(
  "ListImagesRequest",
  { repositoryName },
  { registryId, nextToken, maxResults, filter: imagesFilter },
);
export type ListImagesRequest = t.TypeOf<typeof ListImagesRequest>;
