/**
 * Events of repository creation templates, all in the registry's stream. Each carries the whole
 * template as it is after the change, so `evolve` replaces it without looking anything up.
 * (A repository created from a template is recorded with the repository's own events.)
 */
import type { Event } from "../kernel/message.js";
import type { RegistryId } from "../values/primitives.js";
import type { CreationTemplate } from "./template-values.js";

export type RepositoryCreationTemplateCreated = Event<
  "RepositoryCreationTemplateCreated",
  { readonly registryId: RegistryId; readonly template: CreationTemplate }
>;
export type RepositoryCreationTemplateUpdated = Event<
  "RepositoryCreationTemplateUpdated",
  { readonly registryId: RegistryId; readonly template: CreationTemplate }
>;
export type RepositoryCreationTemplateDeleted = Event<
  "RepositoryCreationTemplateDeleted",
  { readonly registryId: RegistryId; readonly prefix: string }
>;

export type CreationTemplateEvent =
  | RepositoryCreationTemplateCreated
  | RepositoryCreationTemplateUpdated
  | RepositoryCreationTemplateDeleted;
