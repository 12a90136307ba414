/** The pull-through cache slice: Create/Update/DeletePullThroughCacheRule (registry settings). */
// ROOT: "every repository" as an ecrRepositoryPrefix, "no prefix" as an upstreamRepositoryPrefix.
import { ROOT_PREFIX } from "../creation-templates/template-values.js";
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettings, registrySettingsDraft } from "../kernel/registry-state.js";
import type { Slice } from "../kernel/slice.js";
import type { RegistryId } from "../values/primitives.js";
import type {
  CreatePullThroughCacheRule,
  DeletePullThroughCacheRule,
  PullThroughCacheCommand,
  UpdatePullThroughCacheRule,
} from "./cache-rule-commands.js";
import type { PullThroughCacheEvent } from "./cache-rule-events.js";
import {
  normalizePrefix,
  type PullThroughCacheRule,
  upstreamBaseUrl,
  upstreamRegistryOf,
} from "./cache-rule-values.js";

const { accept, refuse } = decisionsOf<PullThroughCacheEvent>();

/** ECR's quota of pull-through cache rules per registry. */
export const MAX_PULL_THROUGH_CACHE_RULES = 50;

/** The registry's rules, in creation order. */
export const pullThroughCacheRules = (
  state: RegistryState,
  registryId: RegistryId,
): ReadonlyArray<PullThroughCacheRule> => registrySettings(state, registryId).pullThroughCacheRules ?? [];

export const findPullThroughCacheRule = (
  state: RegistryState,
  registryId: RegistryId,
  ecrRepositoryPrefix: string,
): PullThroughCacheRule | undefined => {
  const prefix = normalizePrefix(ecrRepositoryPrefix);
  return pullThroughCacheRules(state, registryId).find((rule) => rule.ecrRepositoryPrefix === prefix);
};

/** The record without its undefined members (events are JSON: an absent member stays absent). */
const withoutUndefined = <T extends object>(record: { [K in keyof T]: T[K] | undefined }): T =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;

export const decideCreatePullThroughCacheRule = (
  state: RegistryState,
  { data }: CreatePullThroughCacheRule,
) => {
  const prefix = normalizePrefix(data.ecrRepositoryPrefix);
  if (findPullThroughCacheRule(state, data.registryId, prefix) !== undefined) {
    return refuse(RegistryErrors.pullThroughCacheRuleAlreadyExists(prefix, data.registryId));
  }
  if (pullThroughCacheRules(state, data.registryId).length >= MAX_PULL_THROUGH_CACHE_RULES) {
    return refuse(
      RegistryErrors.limitExceeded(
        `The registry with id '${data.registryId}' already has ${MAX_PULL_THROUGH_CACHE_RULES} pull through cache rules`,
      ),
    );
  }
  if (upstreamBaseUrl(data.upstreamRegistryUrl) === undefined) {
    return refuse(RegistryErrors.unsupportedUpstreamRegistry(data.upstreamRegistryUrl));
  }
  if (data.credentialArn !== undefined && !data.credentialKnown) {
    return refuse(RegistryErrors.secretNotFound(data.credentialArn));
  }
  const rule = withoutUndefined<PullThroughCacheRule>({
    ecrRepositoryPrefix: prefix,
    upstreamRegistryUrl: data.upstreamRegistryUrl,
    upstreamRegistry: data.upstreamRegistry ?? upstreamRegistryOf(data.upstreamRegistryUrl),
    credentialArn: data.credentialArn,
    customRoleArn: data.customRoleArn,
    upstreamRepositoryPrefix: normalizePrefix(data.upstreamRepositoryPrefix ?? ROOT_PREFIX),
    createdAt: data.createdAt,
    updatedAt: data.createdAt,
  });
  return accept({ type: "PullThroughCacheRuleCreated", data: { registryId: data.registryId, rule } });
};

export const decideUpdatePullThroughCacheRule = (
  state: RegistryState,
  { data }: UpdatePullThroughCacheRule,
) => {
  const rule = findPullThroughCacheRule(state, data.registryId, data.ecrRepositoryPrefix);
  if (rule === undefined) {
    return refuse(RegistryErrors.pullThroughCacheRuleNotFound(data.ecrRepositoryPrefix, data.registryId));
  }
  if (data.credentialArn !== undefined && !data.credentialKnown) {
    return refuse(RegistryErrors.secretNotFound(data.credentialArn));
  }
  const updated = withoutUndefined<PullThroughCacheRule>({
    ...rule,
    credentialArn: data.credentialArn ?? rule.credentialArn,
    customRoleArn: data.customRoleArn ?? rule.customRoleArn,
    updatedAt: data.updatedAt,
  });
  return accept({
    type: "PullThroughCacheRuleUpdated",
    data: { registryId: data.registryId, rule: updated },
  });
};

export const decideDeletePullThroughCacheRule = (
  state: RegistryState,
  { data }: DeletePullThroughCacheRule,
) =>
  findPullThroughCacheRule(state, data.registryId, data.ecrRepositoryPrefix) === undefined
    ? refuse(RegistryErrors.pullThroughCacheRuleNotFound(data.ecrRepositoryPrefix, data.registryId))
    : accept({
        type: "PullThroughCacheRuleDeleted",
        data: {
          registryId: data.registryId,
          ecrRepositoryPrefix: normalizePrefix(data.ecrRepositoryPrefix),
        },
      });

export const pullThroughCacheDecider: Slice<PullThroughCacheCommand, PullThroughCacheEvent> = {
  decide: {
    CreatePullThroughCacheRule: decideCreatePullThroughCacheRule,
    UpdatePullThroughCacheRule: decideUpdatePullThroughCacheRule,
    DeletePullThroughCacheRule: decideDeletePullThroughCacheRule,
  },
  evolve: {
    PullThroughCacheRuleCreated: (draft, { data }) => {
      const settings = registrySettingsDraft(draft, data.registryId);
      settings.pullThroughCacheRules = [...(settings.pullThroughCacheRules ?? []), data.rule];
    },
    PullThroughCacheRuleUpdated: (draft, { data }) => {
      const settings = registrySettingsDraft(draft, data.registryId);
      settings.pullThroughCacheRules = (settings.pullThroughCacheRules ?? []).map((rule) =>
        rule.ecrRepositoryPrefix === data.rule.ecrRepositoryPrefix ? data.rule : rule,
      );
    },
    PullThroughCacheRuleDeleted: (draft, { data }) => {
      const settings = registrySettingsDraft(draft, data.registryId);
      settings.pullThroughCacheRules = (settings.pullThroughCacheRules ?? []).filter(
        (rule) => rule.ecrRepositoryPrefix !== data.ecrRepositoryPrefix,
      );
    },
  },
};
