/**
 * CreateRepositoryFromTemplate: a repository Berth creates itself, recorded in its own stream as a
 * client's CreateRepository, SetRepositoryPolicy and PutLifecyclePolicy would be, in one decision.
 */
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { findRepository, type RegistryState } from "../kernel/registry-state.js";
import type { LifecyclePolicySet } from "../lifecycle/lifecycle-events.js";
import type { RepositoryPolicySet } from "../policies/policy-events.js";
import type { RepositoryCreated } from "../repositories/repository-events.js";
import type { CreateRepositoryFromTemplate } from "./template-commands.js";
import { repositorySettingsFromTemplates } from "./template-matching.js";

export type RepositoryFromTemplateEvent = RepositoryCreated | RepositoryPolicySet | LifecyclePolicySet;

const { accept, refuse } = decisionsOf<RepositoryFromTemplateEvent>();

/** RepositoryNotFoundException when no template applies: the repository stays missing, as in ECR. */
export const decideCreateRepositoryFromTemplate = (
  state: RegistryState,
  { data }: CreateRepositoryFromTemplate,
) => {
  const ref = { registryId: data.registryId, repositoryName: data.repositoryName };
  if (findRepository(state, ref.registryId, ref.repositoryName) !== undefined) {
    return refuse(RegistryErrors.repositoryAlreadyExists(ref.registryId, ref.repositoryName));
  }
  const settings = repositorySettingsFromTemplates(state, ref.registryId, ref.repositoryName, data.purpose, {
    implicitRootTemplate: data.implicitRootTemplate === true,
  });
  if (settings === undefined)
    return refuse(RegistryErrors.repositoryNotFound(ref.registryId, ref.repositoryName));
  const events: RepositoryFromTemplateEvent[] = [
    {
      type: "RepositoryCreated",
      data: {
        ...ref,
        createdAt: data.createdAt,
        imageTagMutability: settings.imageTagMutability,
        imageTagMutabilityExclusionFilters: settings.imageTagMutabilityExclusionFilters,
        scanOnPush: false,
        encryptionType: settings.encryptionType,
        ...(settings.kmsKey === undefined ? {} : { kmsKey: settings.kmsKey }),
        tags: settings.tags,
      },
    },
  ];
  if (settings.repositoryPolicy !== undefined) {
    events.push({ type: "RepositoryPolicySet", data: { ...ref, policyText: settings.repositoryPolicy } });
  }
  if (settings.lifecyclePolicy !== undefined) {
    events.push({
      type: "LifecyclePolicySet",
      data: { ...ref, lifecyclePolicyText: settings.lifecyclePolicy },
    });
  }
  return accept(...events);
};
