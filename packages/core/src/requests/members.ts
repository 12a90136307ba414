/**
 * The members shared by ECR requests, named as the requests name them, with the constraints of the
 * model's shapes (each codec is named after its shape; where the model has two identical shapes,
 * one codec serves both). Branded values come from `BrandedMembers`.
 */
import {
  IMAGE_MANIFEST_MAX_LENGTH,
  LAYER_PART_MAX_BYTES,
  POLICY_TEXT_MAX_LENGTH,
  RESOURCE_TAG_LIMITS,
} from "../values/primitives.js";
import { BrandedMembers } from "./branded-members.js";
import { base64Blob, boundedInt, boundedList, boundedString, flag, structure } from "./constraint-codecs.js";

export const registryId = BrandedMembers.RegistryId;
export const repositoryName = BrandedMembers.RepositoryName;
export const uploadId = BrandedMembers.UploadId;
export const partSize = BrandedMembers.PartSize;
export const imageTagMutability = BrandedMembers.ImageTagMutability;

export const repositoryNames = boundedList(repositoryName, { min: 1, max: 100 }, "RepositoryNameList");
export const registryIds = boundedList(
  registryId,
  { min: 1, max: 10 },
  "GetAuthorizationTokenRegistryIdList",
);

export const nextToken = boundedString({}, "NextToken");
export const maxResults = boundedInt({ min: 1, max: 1000 }, "MaxResults");
export const force = flag("ForceFlag");

export const imageTagMutabilityExclusionFilters = boundedList(
  structure(
    "ImageTagMutabilityExclusionFilter",
    {
      filterType: BrandedMembers.ImageTagMutabilityExclusionFilterType,
      filter: BrandedMembers.ImageTagMutabilityExclusionFilterValue,
    },
    {},
  ),
  { min: 1, max: 5 },
  "ImageTagMutabilityExclusionFilters",
);
export const imageScanningConfiguration = structure(
  "ImageScanningConfiguration",
  {},
  { scanOnPush: flag("ScanOnPushFlag") },
);
export const encryptionConfiguration = structure(
  "EncryptionConfiguration",
  { encryptionType: BrandedMembers.EncryptionType },
  { kmsKey: boundedString({ min: 1, max: 2048 }, "KmsKey") },
);

/** The model leaves resource tags unbounded; these are ECR's documented limits. */
export const tags = boundedList(
  structure("Tag", { Key: BrandedMembers.TagKey, Value: BrandedMembers.TagValue }, {}),
  { max: RESOURCE_TAG_LIMITS.maxTags },
  "TagList",
);
export const tagKeys = boundedList(BrandedMembers.TagKey, {}, "TagKeyList");
export const resourceArn = boundedString({}, "Arn");

export const imageTag = BrandedMembers.ImageTag;
/** Unconstrained in the model; Berth's narrower Digest is checked when the command is built. */
export const imageDigest = boundedString({}, "ImageDigest");
export const mediaType = boundedString({}, "MediaType");
export const imageIds = boundedList(
  structure("ImageIdentifier", {}, { imageDigest, imageTag }),
  { min: 1, max: 100 },
  "ImageIdentifierList",
);
export const acceptedMediaTypes = boundedList(mediaType, { min: 1, max: 100 }, "MediaTypeList");
export const imageManifest = boundedString({ min: 1, max: IMAGE_MANIFEST_MAX_LENGTH }, "ImageManifest");
export const imagesFilter = structure("ImagesFilter", {}, { tagStatus: BrandedMembers.TagStatus });

export const layerPartBlob = base64Blob({ min: 0, max: LAYER_PART_MAX_BYTES }, "LayerPartBlob");
export const layerDigest = boundedString({ pattern: "[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+" }, "LayerDigest");
export const layerDigests = boundedList(layerDigest, { min: 1, max: 100 }, "LayerDigestList");
export const batchedLayerDigests = boundedList(
  boundedString({ min: 0, max: 1000 }, "BatchedOperationLayerDigest"),
  { min: 1, max: 100 },
  "BatchedOperationLayerDigestList",
);

export const policyText = boundedString({ min: 0, max: POLICY_TEXT_MAX_LENGTH }, "PolicyText");
