/**
 * Which template shapes a repository Berth creates itself, and what the repository gets from it:
 * the pure rule every purpose shares (a `/v2` push today; replication and pull through cache later).
 */
import { type RegistryState, registrySettings } from "../kernel/registry-state.js";
import type {
  EncryptionType,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  RegistryId,
  RepositoryName,
  ResourceTag,
} from "../values/primitives.js";
import {
  type CreationTemplate,
  namespaceOf,
  prefixCovers,
  type RepositoryCreationPurpose,
  ROOT_PREFIX,
} from "./template-values.js";

/** What a repository created from a template is given. */
export interface TemplatedRepositorySettings {
  /** The prefix of the template applied; undefined for the implicit ROOT template. */
  readonly templatePrefix: string | undefined;
  readonly imageTagMutability: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
  readonly encryptionType: EncryptionType;
  readonly kmsKey?: string;
  readonly tags: ReadonlyArray<ResourceTag>;
  readonly repositoryPolicy?: string;
  readonly lifecyclePolicy?: string;
}

/** How specific a template is: the longer namespace wins; ROOT is the fallback. */
const specificity = (template: CreationTemplate): number =>
  template.prefix === ROOT_PREFIX ? -1 : namespaceOf(template.prefix).length;

/**
 * The template that applies to `repositoryName` for `purpose`: among those listing the purpose in
 * `appliedFor` and whose prefix covers the name, the longest prefix; ROOT when no other covers it.
 */
export const applicableTemplate = (
  templates: ReadonlyArray<CreationTemplate>,
  repositoryName: string,
  purpose: RepositoryCreationPurpose,
): CreationTemplate | undefined => {
  let best: CreationTemplate | undefined;
  for (const template of templates) {
    if (!template.appliedFor.includes(purpose) || !prefixCovers(template.prefix, repositoryName)) continue;
    if (best === undefined || specificity(template) > specificity(best)) best = template;
  }
  return best;
};

const settingsOf = (template: CreationTemplate): TemplatedRepositorySettings => ({
  templatePrefix: template.prefix,
  imageTagMutability: template.imageTagMutability,
  imageTagMutabilityExclusionFilters: template.imageTagMutabilityExclusionFilters ?? [],
  encryptionType: template.encryptionConfiguration.encryptionType,
  ...(template.encryptionConfiguration.kmsKey === undefined
    ? {}
    : { kmsKey: template.encryptionConfiguration.kmsKey }),
  tags: template.resourceTags,
  ...(template.repositoryPolicy === undefined ? {} : { repositoryPolicy: template.repositoryPolicy }),
  ...(template.lifecyclePolicy === undefined ? {} : { lifecyclePolicy: template.lifecyclePolicy }),
});

/** The implicit ROOT template (`--create-on-push`): ECR's defaults for a new repository. */
export const IMPLICIT_ROOT_SETTINGS: TemplatedRepositorySettings = {
  templatePrefix: undefined,
  imageTagMutability: "MUTABLE",
  imageTagMutabilityExclusionFilters: [],
  encryptionType: "AES256",
  tags: [],
};

/**
 * What a repository Berth creates for `purpose` gets, or undefined when no template applies (Berth
 * then does not create it). `implicitRootTemplate` assumes a ROOT template with the defaults for
 * the purpose, used only when none of the registry's templates applies.
 */
export const repositorySettingsFromTemplates = (
  state: RegistryState,
  registryId: RegistryId,
  repositoryName: RepositoryName,
  purpose: RepositoryCreationPurpose,
  options: { readonly implicitRootTemplate?: boolean } = {},
): TemplatedRepositorySettings | undefined => {
  const templates = registrySettings(state, registryId).creationTemplates ?? [];
  const template = applicableTemplate(templates, repositoryName, purpose);
  if (template !== undefined) return settingsOf(template);
  return options.implicitRootTemplate === true ? IMPLICIT_ROOT_SETTINGS : undefined;
};
