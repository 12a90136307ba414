/** ECR's tag mutability rules, reimplemented from its documentation for the reference model. */
import type { ImageTagMutability } from "@berth/core";

/** Does `pattern` (where `*` stands for any run of characters) match all of `text`? */
export const wildcardMatches = (pattern: string, text: string): boolean => {
  if (pattern === "") return text === "";
  if (pattern[0] === "*") {
    for (let i = 0; i <= text.length; i++) if (wildcardMatches(pattern.slice(1), text.slice(i))) return true;
    return false;
  }
  return text.length > 0 && pattern[0] === text[0] && wildcardMatches(pattern.slice(1), text.slice(1));
};

/** Whether a tag, once set, may not move, under ECR's four mutability settings. */
export const tagIsImmutable = (
  mutability: ImageTagMutability,
  exclusions: ReadonlyArray<string>,
  tag: string,
) => {
  const excluded = exclusions.some((filter) => wildcardMatches(filter, tag));
  switch (mutability) {
    case "MUTABLE":
      return false;
    case "IMMUTABLE":
      return true;
    case "IMMUTABLE_WITH_EXCLUSION":
      return !excluded;
    case "MUTABLE_WITH_EXCLUSION":
      return excluded;
  }
};

/** Exclusion filters go with the two *_WITH_EXCLUSION settings, and only with them. */
export const exclusionsFit = (mutability: ImageTagMutability, filters: ReadonlyArray<string>) =>
  mutability === "IMMUTABLE_WITH_EXCLUSION" || mutability === "MUTABLE_WITH_EXCLUSION"
    ? filters.length > 0
    : filters.length === 0;
