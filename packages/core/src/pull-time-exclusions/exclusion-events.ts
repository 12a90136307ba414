/** Events of pull-time update exclusions; both go to the registry's stream. */
import type { Event } from "../kernel/message.js";
import type { RegistryId, Timestamp } from "../values/primitives.js";

export type PullTimeUpdateExclusionRegistered = Event<
  "PullTimeUpdateExclusionRegistered",
  { readonly registryId: RegistryId; readonly principalArn: string; readonly createdAt: Timestamp }
>;
export type PullTimeUpdateExclusionDeregistered = Event<
  "PullTimeUpdateExclusionDeregistered",
  { readonly registryId: RegistryId; readonly principalArn: string }
>;

export type PullTimeExclusionEvent = PullTimeUpdateExclusionRegistered | PullTimeUpdateExclusionDeregistered;
