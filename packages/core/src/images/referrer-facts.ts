/**
 * What the OCI referrers API lists of a manifest with a subject, taken from its text once, when it is
 * pushed: the state keeps these facts, not the text (see ImageDraft).
 */
import type { ReferrerFacts } from "../kernel/registry-state.js";
import { utf8Encode } from "../values/sha256.js";

const annotationsOf = (manifest: string): Readonly<Record<string, string>> | undefined => {
  const parsed = JSON.parse(manifest) as { annotations?: unknown };
  const annotations = parsed.annotations;
  return typeof annotations === "object" && annotations !== null && !Array.isArray(annotations)
    ? (annotations as Record<string, string>)
    : undefined;
};

export const referrerFacts = (manifest: string): ReferrerFacts => {
  const annotations = annotationsOf(manifest);
  return {
    manifestSize: utf8Encode(manifest).length,
    ...(annotations === undefined ? {} : { annotations }),
  };
};
