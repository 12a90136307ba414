/** ECR's rules for resource tags, shared by CreateRepository and TagResource/UntagResource. */
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import { RESOURCE_TAG_LIMITS, type ResourceTag } from "../values/primitives.js";

/** Tag keys starting with `aws:` are reserved by AWS. */
export const reservedTagKeyError = (keys: ReadonlyArray<string>): RegistryError | undefined => {
  const reserved = keys.find((key) => key.toLowerCase().startsWith("aws:"));
  return reserved === undefined
    ? undefined
    : RegistryErrors.invalidTagParameter(`Tag key '${reserved}' uses the reserved prefix 'aws:'`);
};

/** Keys of 1–128 characters and values of at most 256, with ECR's documented wording. */
const tagLengthError = (tags: ReadonlyArray<ResourceTag>): RegistryError | undefined =>
  tags.some(
    (tag) =>
      tag.Key.length < 1 ||
      tag.Key.length > RESOURCE_TAG_LIMITS.maxKeyLength ||
      tag.Value.length > RESOURCE_TAG_LIMITS.maxValueLength,
  )
    ? RegistryErrors.invalidTagParameter(
        `Tag keys can have a maximum character length of ${RESOURCE_TAG_LIMITS.maxKeyLength} characters, and tag values can have a maximum length of ${RESOURCE_TAG_LIMITS.maxValueLength} characters.`,
      )
    : undefined;

/** What makes the tags of a request invalid whatever the repository holds: lengths, reserved keys. */
export const reservedResourceTagError = (tags: ReadonlyArray<ResourceTag>): RegistryError | undefined =>
  tagLengthError(tags) ?? reservedTagKeyError(tags.map((tag) => tag.Key));

/** A repository may hold at most 50 distinct tag keys. */
export const tooManyTagsError = (distinctKeys: number): RegistryError | undefined =>
  distinctKeys > RESOURCE_TAG_LIMITS.maxTags
    ? RegistryErrors.tooManyTags(
        `A repository can have at most ${RESOURCE_TAG_LIMITS.maxTags} tags; this request would give it ${distinctKeys}`,
      )
    : undefined;
