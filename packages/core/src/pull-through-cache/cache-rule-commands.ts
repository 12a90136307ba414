/** Commands on pull-through cache rules (registry settings, on the registry's stream). */
import type { Command } from "../kernel/message.js";
import type { RegistryId, Timestamp } from "../values/primitives.js";
import type { UpstreamRegistryKind } from "./cache-rule-values.js";

export type CreatePullThroughCacheRule = Command<
  "CreatePullThroughCacheRule",
  {
    readonly registryId: RegistryId;
    readonly ecrRepositoryPrefix: string;
    readonly upstreamRegistryUrl: string;
    readonly upstreamRegistry?: UpstreamRegistryKind;
    readonly credentialArn?: string;
    readonly customRoleArn?: string;
    readonly upstreamRepositoryPrefix?: string;
    readonly createdAt: Timestamp;
    /** Whether Berth was given the credentials `credentialArn` names (the engine knows its secrets). */
    readonly credentialKnown: boolean;
  }
>;
export type UpdatePullThroughCacheRule = Command<
  "UpdatePullThroughCacheRule",
  {
    readonly registryId: RegistryId;
    readonly ecrRepositoryPrefix: string;
    readonly credentialArn?: string;
    readonly customRoleArn?: string;
    readonly updatedAt: Timestamp;
    readonly credentialKnown: boolean;
  }
>;
export type DeletePullThroughCacheRule = Command<
  "DeletePullThroughCacheRule",
  { readonly registryId: RegistryId; readonly ecrRepositoryPrefix: string }
>;

export type PullThroughCacheCommand =
  | CreatePullThroughCacheRule
  | UpdatePullThroughCacheRule
  | DeletePullThroughCacheRule;
