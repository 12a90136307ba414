/** Whether a tag may move to another image, given the repository's mutability settings. */
import type { ImageTag, ImageTagMutability, ImageTagMutabilityExclusionFilter } from "./primitives.js";

const wildcardMatches = (filter: string, tag: string): boolean => {
  const pattern = filter.replace(/[.+?^${}()|[\]\\-]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${pattern}$`).test(tag);
};

export const isTagImmutable = (
  mutability: ImageTagMutability,
  exclusions: ReadonlyArray<ImageTagMutabilityExclusionFilter>,
  tag: ImageTag,
): boolean => {
  switch (mutability) {
    case "MUTABLE":
      return false;
    case "IMMUTABLE":
      return true;
    case "IMMUTABLE_WITH_EXCLUSION":
      return !exclusions.some((e) => wildcardMatches(e.filter, tag));
    case "MUTABLE_WITH_EXCLUSION":
      return exclusions.some((e) => wildcardMatches(e.filter, tag));
  }
};
