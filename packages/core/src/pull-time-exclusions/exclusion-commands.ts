/** Commands on the principals whose pulls do not update an image's lastRecordedPullTime. */
import type { Command } from "../kernel/message.js";
import type { RegistryId, Timestamp } from "../values/primitives.js";

export type RegisterPullTimeUpdateExclusion = Command<
  "RegisterPullTimeUpdateExclusion",
  { readonly registryId: RegistryId; readonly principalArn: string; readonly createdAt: Timestamp }
>;
export type DeregisterPullTimeUpdateExclusion = Command<
  "DeregisterPullTimeUpdateExclusion",
  { readonly registryId: RegistryId; readonly principalArn: string }
>;

export type PullTimeExclusionCommand = RegisterPullTimeUpdateExclusion | DeregisterPullTimeUpdateExclusion;
