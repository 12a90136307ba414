/** Requests of the ECR operations on images, and the members only they use. */
import * as E from "fp-ts/lib/Either.js";
import type * as t from "io-ts";
import { BrandedMembers } from "../kernel/branded-members.js";
import { boundedList, boundedString, structure } from "../kernel/constraint-codecs.js";
import { withParameterRule } from "../kernel/parameter-rule.js";
import {
  imageDigest,
  imageIds,
  maxResults,
  nextToken,
  registryId,
  repositoryName,
} from "../kernel/request-members.js";
import { IMAGE_MANIFEST_MAX_LENGTH, MediaType } from "../values/primitives.js";

const imageTag = BrandedMembers.ImageTag;
const mediaType = boundedString({}, "MediaType");
const acceptedMediaTypes = boundedList(mediaType, { min: 1, max: 100 }, "MediaTypeList");
const imageManifest = boundedString({ min: 1, max: IMAGE_MANIFEST_MAX_LENGTH }, "ImageManifest");
const imagesFilter = structure(
  "ImagesFilter",
  {},
  { tagStatus: BrandedMembers.TagStatus, imageStatus: BrandedMembers.ImageStatusFilter },
);

/**
 * The model leaves imageManifestMediaType unconstrained; ECR refuses one that is not a media type
 * (`type/subtype`) with a message of its own, so the decoded request carries a MediaType.
 */
export const PutImageRequest = withParameterRule(
  structure(
    "PutImageRequest",
    { repositoryName, imageManifest },
    { registryId, imageManifestMediaType: mediaType, imageTag, imageDigest },
  ),
  ({ imageManifestMediaType, ...request }) =>
    imageManifestMediaType === undefined
      ? E.right(request)
      : MediaType.is(imageManifestMediaType)
        ? E.right({ ...request, imageManifestMediaType })
        : E.left(
            `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'Invalid media type ${imageManifestMediaType}'`,
          ),
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

export const imageRequests = {
  PutImage: PutImageRequest,
  BatchGetImage: BatchGetImageRequest,
  BatchDeleteImage: BatchDeleteImageRequest,
  DescribeImages: DescribeImagesRequest,
  ListImages: ListImagesRequest,
} as const;
