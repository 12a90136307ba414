/** Commands on repository creation templates, and the creation of a repository from one. */
import type { Command, RepositoryRef } from "../kernel/message.js";
import type { RegistryId, Timestamp } from "../values/primitives.js";
import type { CreationTemplateSettings, RepositoryCreationPurpose } from "./template-values.js";

export type CreateRepositoryCreationTemplate = Command<
  "CreateRepositoryCreationTemplate",
  CreationTemplateSettings & {
    readonly registryId: RegistryId;
    readonly prefix: string;
    readonly appliedFor: ReadonlyArray<RepositoryCreationPurpose>;
    readonly createdAt: Timestamp;
  }
>;
/** Members sent replace the template's; members not sent keep theirs; "" clears a text member. */
export type UpdateRepositoryCreationTemplate = Command<
  "UpdateRepositoryCreationTemplate",
  CreationTemplateSettings & {
    readonly registryId: RegistryId;
    readonly prefix: string;
    readonly updatedAt: Timestamp;
  }
>;
export type DeleteRepositoryCreationTemplate = Command<
  "DeleteRepositoryCreationTemplate",
  { readonly registryId: RegistryId; readonly prefix: string }
>;
/**
 * Berth creating a repository itself, for `purpose`, shaped by the template that applies (see
 * `repositorySettingsFromTemplates`). `implicitRootTemplate`: the server assumes a ROOT template
 * with ECR's defaults for this purpose when none of the registry's templates applies (what
 * `berth serve --create-on-push` means); it is never recorded.
 */
export type CreateRepositoryFromTemplate = Command<
  "CreateRepositoryFromTemplate",
  RepositoryRef & {
    readonly purpose: RepositoryCreationPurpose;
    readonly implicitRootTemplate?: boolean;
    readonly createdAt: Timestamp;
  }
>;

export type CreationTemplateCommand =
  | CreateRepositoryCreationTemplate
  | UpdateRepositoryCreationTemplate
  | DeleteRepositoryCreationTemplate
  | CreateRepositoryFromTemplate;
