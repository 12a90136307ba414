/**
 * CreateRepositoryCreationTemplate, UpdateRepositoryCreationTemplate and
 * DeleteRepositoryCreationTemplate: a template is checked whole, by the rules the operations it
 * stands for apply (CreateRepository, SetRepositoryPolicy, PutLifecyclePolicy, TagResource), so that
 * a repository created from it is never refused.
 */
import * as E from "fp-ts/lib/Either.js";
import { decisionsOf } from "../kernel/decision.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettings } from "../kernel/registry-state.js";
import { parseLifecyclePolicy } from "../lifecycle/lifecycle-policy-validation.js";
import { isRepositoryPolicy } from "../policies/policy-documents.js";
import { reservedResourceTagError, tooManyTagsError } from "../policies/resource-tag-rules.js";
import { checkEncryption, checkExclusions } from "../repositories/decide-repository.js";
import type { RegistryId, Timestamp } from "../values/primitives.js";
import type {
  CreateRepositoryCreationTemplate,
  DeleteRepositoryCreationTemplate,
  UpdateRepositoryCreationTemplate,
} from "./template-commands.js";
import type { CreationTemplateEvent } from "./template-events.js";
import {
  type CreationTemplate,
  type CreationTemplateSettings,
  findTemplate,
  MAX_CREATION_TEMPLATES,
  type RepositoryCreationPurpose,
} from "./template-values.js";

const { accept, refuse } = decisionsOf<CreationTemplateEvent>();

/** A text member as stored: "" (which the model allows) means none. */
const text = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value === undefined || value === "" ? {} : { [key]: value }) as { [P in K]?: string };

/** The template the settings describe, ECR's defaults filled in, members without a value left out. */
const templateOf = (
  prefix: string,
  settings: CreationTemplateSettings & { readonly appliedFor: ReadonlyArray<RepositoryCreationPurpose> },
  createdAt: Timestamp,
  updatedAt: Timestamp,
): CreationTemplate => {
  const encryption = settings.encryptionConfiguration;
  const filters = settings.imageTagMutabilityExclusionFilters ?? [];
  return {
    prefix,
    ...text("description", settings.description),
    encryptionConfiguration: {
      encryptionType: encryption?.encryptionType ?? "AES256",
      ...text("kmsKey", encryption?.kmsKey),
    },
    resourceTags: settings.resourceTags ?? [],
    imageTagMutability: settings.imageTagMutability ?? "MUTABLE",
    ...(filters.length === 0 ? {} : { imageTagMutabilityExclusionFilters: filters }),
    ...text("repositoryPolicy", settings.repositoryPolicy),
    ...text("lifecyclePolicy", settings.lifecyclePolicy),
    appliedFor: [...new Set(settings.appliedFor)],
    ...text("customRoleArn", settings.customRoleArn),
    createdAt,
    updatedAt,
  };
};

const CUSTOM_ROLE = /^arn:aws(?:-[a-z]+)*:iam::([0-9]{12}):role\/[\w+=,.@/-]{1,512}$/;

const invalid = (member: string, constraint: string) =>
  RegistryErrors.invalidParameter(
    `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`,
  );

/** What makes a template unusable, checked as the operations it stands for would check it. */
const templateError = (template: CreationTemplate, registryId: RegistryId): RegistryError | undefined => {
  if (template.appliedFor.length === 0) {
    return RegistryErrors.validation(
      "1 validation error detected: Value '[]' at 'appliedFor' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  const role = template.customRoleArn === undefined ? undefined : CUSTOM_ROLE.exec(template.customRoleArn);
  if (role === null || (role !== undefined && role[1] !== registryId)) {
    return invalid("customRoleArn", `The custom role must be an IAM role in the account '${registryId}'`);
  }
  const tags = template.resourceTags;
  return (
    tooManyTagsError(new Set(tags.map((tag) => tag.Key)).size) ??
    reservedResourceTagError(tags) ??
    checkExclusions(template.imageTagMutability, template.imageTagMutabilityExclusionFilters) ??
    checkEncryption(
      template.encryptionConfiguration.encryptionType,
      template.encryptionConfiguration.kmsKey,
    ) ??
    (template.repositoryPolicy !== undefined && !isRepositoryPolicy(template.repositoryPolicy)
      ? invalid("repositoryPolicy", "Invalid repository policy provided")
      : undefined) ??
    lifecyclePolicyError(template.lifecyclePolicy)
  );
};

const lifecyclePolicyError = (policy: string | undefined): RegistryError | undefined => {
  if (policy === undefined) return undefined;
  const parsed = parseLifecyclePolicy(policy);
  return E.isLeft(parsed) ? RegistryErrors.invalidParameter(parsed.left) : undefined;
};

export const decideCreateRepositoryCreationTemplate = (
  state: RegistryState,
  { data }: CreateRepositoryCreationTemplate,
) => {
  const { registryId, prefix, createdAt, ...settings } = data;
  const templates = registrySettings(state, registryId).creationTemplates ?? [];
  if (findTemplate(templates, prefix) !== undefined) {
    return refuse(RegistryErrors.templateAlreadyExists(prefix, registryId));
  }
  if (templates.length >= MAX_CREATION_TEMPLATES) {
    return refuse(
      RegistryErrors.limitExceeded(
        `The registry with id '${registryId}' already has ${MAX_CREATION_TEMPLATES} repository creation templates`,
      ),
    );
  }
  const template = templateOf(prefix, settings, createdAt, createdAt);
  const error = templateError(template, registryId);
  return error === undefined
    ? accept({ type: "RepositoryCreationTemplateCreated", data: { registryId, template } })
    : refuse(error);
};

/** The template's settings with the members the update sends put in their place. */
const updatedSettings = (
  old: CreationTemplate,
  update: CreationTemplateSettings,
): CreationTemplateSettings & { readonly appliedFor: ReadonlyArray<RepositoryCreationPurpose> } => {
  const mutability = update.imageTagMutability ?? old.imageTagMutability;
  const withExclusion = mutability.endsWith("_WITH_EXCLUSION");
  return {
    ...old,
    ...update,
    imageTagMutability: mutability,
    // A mutability without exclusions drops the old filters; one with them keeps them unless sent.
    imageTagMutabilityExclusionFilters:
      update.imageTagMutabilityExclusionFilters ??
      (withExclusion ? (old.imageTagMutabilityExclusionFilters ?? []) : []),
    appliedFor: update.appliedFor ?? old.appliedFor,
  };
};

export const decideUpdateRepositoryCreationTemplate = (
  state: RegistryState,
  { data }: UpdateRepositoryCreationTemplate,
) => {
  const { registryId, prefix, updatedAt, ...update } = data;
  const old = findTemplate(registrySettings(state, registryId).creationTemplates, prefix);
  if (old === undefined) return refuse(RegistryErrors.templateNotFound(prefix, registryId));
  const template = templateOf(old.prefix, updatedSettings(old, update), old.createdAt, updatedAt);
  const error = templateError(template, registryId);
  return error === undefined
    ? accept({ type: "RepositoryCreationTemplateUpdated", data: { registryId, template } })
    : refuse(error);
};

export const decideDeleteRepositoryCreationTemplate = (
  state: RegistryState,
  { data }: DeleteRepositoryCreationTemplate,
) => {
  const template = findTemplate(registrySettings(state, data.registryId).creationTemplates, data.prefix);
  return template === undefined
    ? refuse(RegistryErrors.templateNotFound(data.prefix, data.registryId))
    : accept({
        type: "RepositoryCreationTemplateDeleted",
        data: { registryId: data.registryId, prefix: template.prefix },
      });
};
