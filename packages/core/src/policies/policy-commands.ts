/** Commands on repository and registry policies and on resource tags. */
import type { Command, RepositoryRef } from "../kernel/message.js";
import type { RegistryId, ResourceTag } from "../values/primitives.js";

export type SetRepositoryPolicy = Command<
  "SetRepositoryPolicy",
  RepositoryRef & { readonly policyText: string; readonly force?: boolean }
>;
export type DeleteRepositoryPolicy = Command<"DeleteRepositoryPolicy", RepositoryRef>;
export type PutRegistryPolicy = Command<
  "PutRegistryPolicy",
  { readonly registryId: RegistryId; readonly policyText: string }
>;
export type DeleteRegistryPolicy = Command<"DeleteRegistryPolicy", { readonly registryId: RegistryId }>;
export type TagResource = Command<
  "TagResource",
  RepositoryRef & { readonly tags: ReadonlyArray<ResourceTag> }
>;
export type UntagResource = Command<
  "UntagResource",
  RepositoryRef & { readonly tagKeys: ReadonlyArray<string> }
>;

export type PolicyCommand =
  | SetRepositoryPolicy
  | DeleteRepositoryPolicy
  | PutRegistryPolicy
  | DeleteRegistryPolicy
  | TagResource
  | UntagResource;
