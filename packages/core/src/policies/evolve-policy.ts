/** How policy and resource tag events change the state. */
import { registrySettingsDraft, repositoryStep } from "../kernel/registry-state.js";
import type { EvolveTable } from "../kernel/slice.js";
import type { PolicyEvent } from "./policy-events.js";

export const evolvePolicy: EvolveTable<PolicyEvent> = {
  RepositoryPolicySet: repositoryStep((repository, { data }) => {
    repository.policyText = data.policyText;
  }),
  RepositoryPolicyDeleted: repositoryStep((repository) => {
    repository.policyText = undefined;
  }),
  ResourceTagsAdded: repositoryStep((repository, { data }) => {
    for (const tag of data.tags) repository.resourceTags.set(tag.Key, tag.Value);
  }),
  ResourceTagsRemoved: repositoryStep((repository, { data }) => {
    for (const key of data.tagKeys) repository.resourceTags.delete(key);
  }),
  RegistryPolicySet: (draft, { data }) => {
    registrySettingsDraft(draft, data.registryId).policyText = data.policyText;
  },
  RegistryPolicyDeleted: (draft, { data }) => {
    registrySettingsDraft(draft, data.registryId).policyText = undefined;
  },
};
