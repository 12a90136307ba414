/**
 * Repository creation templates (ECR's Create/Update/Delete/DescribeRepositoryCreationTemplates),
 * and the repositories Berth creates itself from them: registry settings recorded in the log; which
 * template applies, and what the repository gets, is the core's `repositorySettingsFromTemplates`.
 */
import {
  type CreationTemplate,
  type CreationTemplateSettings,
  type DescribeRepositoryCreationTemplatesQuery,
  type DescribeRepositoryCreationTemplatesResult,
  describeRepositoryCreationTemplates,
  findRepository,
  findTemplate,
  RegistryErrors,
  type RegistryId,
  type RegistryState,
  type RepositoryCreationPurpose,
  registrySettings,
  repositorySettingsFromTemplates,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type {
  RegistryInput,
  RegistryRuntime,
  RepositoryInput,
  Result,
  WithRegistry,
} from "./registry-runtime.js";

export interface CreationTemplateInput extends RegistryInput, CreationTemplateSettings {
  readonly prefix: string;
}

/** What the template operations answer: the registry and the template as stored. */
export interface CreationTemplateAnswer {
  readonly registryId: RegistryId;
  readonly repositoryCreationTemplate: CreationTemplate;
}

export interface CreationTemplateOperations {
  /** ECR CreateRepositoryCreationTemplate: TemplateAlreadyExistsException when the prefix has one. */
  createRepositoryCreationTemplate(
    input: CreationTemplateInput & { readonly appliedFor: ReadonlyArray<RepositoryCreationPurpose> },
  ): Result<CreationTemplateAnswer>;
  /** ECR UpdateRepositoryCreationTemplate: members sent replace the template's; "" clears text. */
  updateRepositoryCreationTemplate(input: CreationTemplateInput): Result<CreationTemplateAnswer>;
  /** ECR DeleteRepositoryCreationTemplate: answers the template deleted; TemplateNotFoundException. */
  deleteRepositoryCreationTemplate(
    input: RegistryInput & { readonly prefix: string },
  ): Result<CreationTemplateAnswer>;
  /** ECR DescribeRepositoryCreationTemplates, in prefix order, paginated. */
  describeRepositoryCreationTemplates(
    input?: WithRegistry<DescribeRepositoryCreationTemplatesQuery>,
  ): Result<DescribeRepositoryCreationTemplatesResult>;
  /**
   * Creates a missing repository for `purpose`, shaped by the template that applies (with
   * `implicitRootTemplate`, a ROOT template with defaults is assumed when none does). `created` is
   * false when it already existed; RepositoryNotFoundException when no template applies.
   */
  createRepositoryFromTemplate(
    input: RepositoryInput & {
      readonly purpose: RepositoryCreationPurpose;
      readonly implicitRootTemplate?: boolean;
    },
  ): Result<{ readonly created: boolean }>;
}

export const creationTemplateOperations = (runtime: RegistryRuntime): CreationTemplateOperations => {
  const { handler, run, runObserving, query, registryOf, refOf, now } = runtime;
  const storedTemplate = (state: RegistryState, registryId: RegistryId, prefix: string) =>
    // Only called after a command that found or stored the template.
    findTemplate(registrySettings(state, registryId).creationTemplates, prefix)!;

  return {
    createRepositoryCreationTemplate: (input) => {
      const registryId = registryOf(input);
      const { registryId: _, ...template } = input;
      return run(
        { type: "CreateRepositoryCreationTemplate", data: { ...template, registryId, createdAt: now() } },
        () => ({
          registryId,
          repositoryCreationTemplate: storedTemplate(handler.state, registryId, input.prefix),
        }),
      );
    },
    updateRepositoryCreationTemplate: (input) => {
      const registryId = registryOf(input);
      const { registryId: _, ...template } = input;
      return run(
        { type: "UpdateRepositoryCreationTemplate", data: { ...template, registryId, updatedAt: now() } },
        () => ({
          registryId,
          repositoryCreationTemplate: storedTemplate(handler.state, registryId, input.prefix),
        }),
      );
    },
    deleteRepositoryCreationTemplate: (input) => {
      const registryId = registryOf(input);
      return runObserving(
        { type: "DeleteRepositoryCreationTemplate", data: { registryId, prefix: input.prefix } },
        (before) => storedTemplate(before, registryId, input.prefix),
        (repositoryCreationTemplate) => ({ registryId, repositoryCreationTemplate }),
      );
    },
    describeRepositoryCreationTemplates: (input = {}) =>
      query((state) =>
        describeRepositoryCreationTemplates(state, { ...input, registryId: registryOf(input) }),
      ),
    createRepositoryFromTemplate: async (input) => {
      const ref = refOf(input);
      // Most pushes go to repositories that exist: one this process knows of needs no read (the
      // push's own commands are decided on the whole log, so a deletion meanwhile still counts).
      if (findRepository(handler.state, ref.registryId, ref.repositoryName) !== undefined)
        return E.right({ created: false });
      // Names no template covers need none either: a read answers, and a command decides again.
      const plan = await query((state) =>
        E.right(
          findRepository(state, ref.registryId, ref.repositoryName) !== undefined
            ? ("exists" as const)
            : repositorySettingsFromTemplates(state, ref.registryId, ref.repositoryName, input.purpose, {
                  implicitRootTemplate: input.implicitRootTemplate ?? false,
                }) === undefined
              ? ("no template" as const)
              : ("create" as const),
        ),
      );
      if (E.isLeft(plan)) return plan;
      if (plan.right === "exists") return E.right({ created: false });
      if (plan.right === "no template") {
        return E.left(RegistryErrors.repositoryNotFound(ref.registryId, ref.repositoryName));
      }
      const created = await run(
        {
          type: "CreateRepositoryFromTemplate",
          data: {
            ...ref,
            purpose: input.purpose,
            implicitRootTemplate: input.implicitRootTemplate ?? false,
            createdAt: now(),
          },
        },
        () => ({ created: true }),
      );
      // Another request created it meanwhile: it exists, which is what was asked.
      return E.isLeft(created) && created.left._tag === "RepositoryAlreadyExistsException"
        ? E.right({ created: false })
        : created;
    },
  };
};
