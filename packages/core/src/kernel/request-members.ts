/**
 * The members more than one slice's requests share, named as the requests name them, with the
 * constraints of the model's shapes (each codec is named after its shape; where the model has two
 * identical shapes, one codec serves both). Members of one capability live in its slice; branded
 * values come from `BrandedMembers`.
 */
import { BrandedMembers } from "./branded-members.js";
import { boundedInt, boundedList, boundedString, flag, structure } from "./constraint-codecs.js";

export const registryId = BrandedMembers.RegistryId;
export const repositoryName = BrandedMembers.RepositoryName;

export const nextToken = boundedString({}, "NextToken");
export const maxResults = boundedInt({ min: 1, max: 1000 }, "MaxResults");
export const force = flag("ForceFlag");

/** Unconstrained in the model; Berth's narrower Digest is checked when the command is built. */
export const imageDigest = boundedString({}, "ImageDigest");
export const imageIdentifier = structure(
  "ImageIdentifier",
  {},
  { imageDigest, imageTag: BrandedMembers.ImageTag },
);
export const imageIds = boundedList(imageIdentifier, { min: 1, max: 100 }, "ImageIdentifierList");

/**
 * The model leaves resource tags unbounded; ECR's documented limits (50 tags, keys of 1–128 and
 * values of 0–256 characters) are core rules with exceptions of their own (TooManyTagsException,
 * InvalidTagParameterException), not validation errors.
 */
export const tagKey = boundedString({}, "TagKey");
export const tags = boundedList(
  structure("Tag", { Key: tagKey, Value: boundedString({}, "TagValue") }, {}),
  {},
  "TagList",
);
