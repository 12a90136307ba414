/** The creation-templates slice: the three template operations, and repositories created from them. */

import { registrySettingsDraft } from "../kernel/registry-state.js";
import type { DecideTable, EvolveTable } from "../kernel/slice.js";
import {
  decideCreateRepositoryFromTemplate,
  type RepositoryFromTemplateEvent,
} from "./decide-create-from-template.js";
import {
  decideCreateRepositoryCreationTemplate,
  decideDeleteRepositoryCreationTemplate,
  decideUpdateRepositoryCreationTemplate,
} from "./decide-templates.js";
import type { CreationTemplateCommand } from "./template-commands.js";
import type { CreationTemplateEvent } from "./template-events.js";
import { type CreationTemplate, namespaceOf } from "./template-values.js";

/** Puts `template` in place of the one of its namespace, keeping prefix order. */
const withTemplate = (templates: ReadonlyArray<CreationTemplate>, template: CreationTemplate) =>
  [...templates.filter((t) => namespaceOf(t.prefix) !== namespaceOf(template.prefix)), template].sort(
    (a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0),
  );

/**
 * Its decisions record template events in the registry's stream, except a repository created from
 * a template, which is recorded with the repository events of the other slices (whose steps apply).
 */
export const creationTemplateDecider: {
  readonly decide: DecideTable<CreationTemplateCommand, CreationTemplateEvent | RepositoryFromTemplateEvent>;
  readonly evolve: EvolveTable<CreationTemplateEvent>;
} = {
  decide: {
    CreateRepositoryCreationTemplate: decideCreateRepositoryCreationTemplate,
    UpdateRepositoryCreationTemplate: decideUpdateRepositoryCreationTemplate,
    DeleteRepositoryCreationTemplate: decideDeleteRepositoryCreationTemplate,
    CreateRepositoryFromTemplate: decideCreateRepositoryFromTemplate,
  },
  evolve: {
    RepositoryCreationTemplateCreated: (draft, { data }) => {
      const settings = registrySettingsDraft(draft, data.registryId);
      settings.creationTemplates = withTemplate(settings.creationTemplates ?? [], data.template);
    },
    RepositoryCreationTemplateUpdated: (draft, { data }) => {
      const settings = registrySettingsDraft(draft, data.registryId);
      settings.creationTemplates = withTemplate(settings.creationTemplates ?? [], data.template);
    },
    RepositoryCreationTemplateDeleted: (draft, { data }) => {
      const settings = registrySettingsDraft(draft, data.registryId);
      settings.creationTemplates = (settings.creationTemplates ?? []).filter(
        (t) => namespaceOf(t.prefix) !== namespaceOf(data.prefix),
      );
    },
  },
};
