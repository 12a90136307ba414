/** Events of repository and registry policies and of resource tags. */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type { RegistryId, ResourceTag } from "../values/primitives.js";

export type RepositoryPolicySet = Event<
  "RepositoryPolicySet",
  RepositoryRef & { readonly policyText: string }
>;
export type RepositoryPolicyDeleted = Event<"RepositoryPolicyDeleted", RepositoryRef>;
export type ResourceTagsAdded = Event<
  "ResourceTagsAdded",
  RepositoryRef & { readonly tags: ReadonlyArray<ResourceTag> }
>;
export type ResourceTagsRemoved = Event<
  "ResourceTagsRemoved",
  RepositoryRef & { readonly tagKeys: ReadonlyArray<string> }
>;
/** Goes to the registry's stream. */
export type RegistryPolicySet = Event<
  "RegistryPolicySet",
  { readonly registryId: RegistryId; readonly policyText: string }
>;
/** Goes to the registry's stream. */
export type RegistryPolicyDeleted = Event<"RegistryPolicyDeleted", { readonly registryId: RegistryId }>;

export type PolicyEvent =
  | RepositoryPolicySet
  | RepositoryPolicyDeleted
  | ResourceTagsAdded
  | ResourceTagsRemoved
  | RegistryPolicySet
  | RegistryPolicyDeleted;
