/**
 * Repository creation templates: what one holds, and the namespace its prefix stands for. A template
 * shapes the repositories Berth creates itself (on a `/v2` push, and later for replication and pull
 * through cache), never those a client creates with CreateRepository.
 */
import * as t from "io-ts";
import type {
  EncryptionType,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  ResourceTag,
  Timestamp,
} from "../values/primitives.js";

/** Why Berth creates a repository itself: a template applies only to the purposes it lists. */
export const RepositoryCreationPurpose = t.keyof({
  CREATE_ON_PUSH: null,
  PULL_THROUGH_CACHE: null,
  REPLICATION: null,
});
export type RepositoryCreationPurpose = t.TypeOf<typeof RepositoryCreationPurpose>;

/** The prefix of the template that applies to repositories no other template covers. */
export const ROOT_PREFIX = "ROOT";

/** At most this many templates per registry (Berth's bound: ECR's model sets none). */
export const MAX_CREATION_TEMPLATES = 100;

/** What a template gives the repositories it shapes (every member optional on the wire). */
export interface CreationTemplateSettings {
  readonly description?: string;
  readonly encryptionConfiguration?: { readonly encryptionType: EncryptionType; readonly kmsKey?: string };
  readonly resourceTags?: ReadonlyArray<ResourceTag>;
  readonly imageTagMutability?: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
  readonly repositoryPolicy?: string;
  readonly lifecyclePolicy?: string;
  readonly appliedFor?: ReadonlyArray<RepositoryCreationPurpose>;
  readonly customRoleArn?: string;
}

/**
 * A template as stored and as DescribeRepositoryCreationTemplates answers it: mutability and
 * encryption with ECR's defaults filled in, text members absent when not set.
 */
export interface CreationTemplate {
  readonly prefix: string;
  readonly description?: string;
  readonly encryptionConfiguration: {
    readonly encryptionType: EncryptionType;
    readonly kmsKey?: string;
  };
  readonly resourceTags: ReadonlyArray<ResourceTag>;
  readonly imageTagMutability: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
  readonly repositoryPolicy?: string;
  readonly lifecyclePolicy?: string;
  readonly appliedFor: ReadonlyArray<RepositoryCreationPurpose>;
  readonly customRoleArn?: string;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
}

/**
 * The namespace a prefix covers: ECR always assumes a `/` after a prefix, so `prod` and `prod/` are
 * one template, covering `prod/...`. ROOT is kept as it is.
 */
export const namespaceOf = (prefix: string): string => (prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);

/** Whether a template's prefix covers a repository name: ROOT covers every name. */
export const prefixCovers = (prefix: string, repositoryName: string): boolean =>
  prefix === ROOT_PREFIX || repositoryName.startsWith(`${namespaceOf(prefix)}/`);

/** The registry's template whose prefix names the same namespace as `prefix`, if any. */
export const findTemplate = (
  templates: ReadonlyArray<CreationTemplate> | undefined,
  prefix: string,
): CreationTemplate | undefined =>
  templates?.find((template) => namespaceOf(template.prefix) === namespaceOf(prefix));
