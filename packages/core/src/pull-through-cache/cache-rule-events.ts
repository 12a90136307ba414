/** Events of pull-through cache rules; all go to the registry's stream and carry the whole rule. */
import type { Event } from "../kernel/message.js";
import type { RegistryId } from "../values/primitives.js";
import type { PullThroughCacheRule } from "./cache-rule-values.js";

export type PullThroughCacheRuleCreated = Event<
  "PullThroughCacheRuleCreated",
  { readonly registryId: RegistryId; readonly rule: PullThroughCacheRule }
>;
export type PullThroughCacheRuleUpdated = Event<
  "PullThroughCacheRuleUpdated",
  { readonly registryId: RegistryId; readonly rule: PullThroughCacheRule }
>;
export type PullThroughCacheRuleDeleted = Event<
  "PullThroughCacheRuleDeleted",
  { readonly registryId: RegistryId; readonly ecrRepositoryPrefix: string }
>;

export type PullThroughCacheEvent =
  | PullThroughCacheRuleCreated
  | PullThroughCacheRuleUpdated
  | PullThroughCacheRuleDeleted;
