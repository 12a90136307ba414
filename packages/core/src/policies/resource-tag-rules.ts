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

export const reservedResourceTagError = (tags: ReadonlyArray<ResourceTag>): RegistryError | undefined =>
  reservedTagKeyError(tags.map((tag) => tag.Key));

/** A repository may hold at most 50 distinct tag keys. */
export const tooManyTagsError = (distinctKeys: number): RegistryError | undefined =>
  distinctKeys > RESOURCE_TAG_LIMITS.maxTags
    ? RegistryErrors.tooManyTags(
        `A repository can have at most ${RESOURCE_TAG_LIMITS.maxTags} tags; this request would give it ${distinctKeys}`,
      )
    : undefined;
