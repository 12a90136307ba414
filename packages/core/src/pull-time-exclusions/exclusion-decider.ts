/** The pull-time exclusions slice: Register/DeregisterPullTimeUpdateExclusion (a registry setting). */
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettings, registrySettingsDraft } from "../kernel/registry-state.js";
import type { Slice } from "../kernel/slice.js";
import type { RegistryId } from "../values/primitives.js";
import type {
  DeregisterPullTimeUpdateExclusion,
  PullTimeExclusionCommand,
  RegisterPullTimeUpdateExclusion,
} from "./exclusion-commands.js";
import type { PullTimeExclusionEvent } from "./exclusion-events.js";

const { accept, refuse } = decisionsOf<PullTimeExclusionEvent>();

/** How many principals a registry may exclude (the most ListPullTimeUpdateExclusions answers). */
export const MAX_PULL_TIME_UPDATE_EXCLUSIONS = 100;

const isRegistered = (state: RegistryState, registryId: RegistryId, principalArn: string) =>
  registrySettings(state, registryId).pullTimeUpdateExclusions.some((e) => e.principalArn === principalArn);

export const decideRegisterPullTimeUpdateExclusion = (
  state: RegistryState,
  { data }: RegisterPullTimeUpdateExclusion,
) => {
  const exclusions = registrySettings(state, data.registryId).pullTimeUpdateExclusions;
  if (isRegistered(state, data.registryId, data.principalArn)) {
    return refuse(RegistryErrors.exclusionAlreadyExists(data.principalArn, data.registryId));
  }
  if (exclusions.length >= MAX_PULL_TIME_UPDATE_EXCLUSIONS) {
    return refuse(
      RegistryErrors.limitExceeded(
        `The registry with id '${data.registryId}' already has ${MAX_PULL_TIME_UPDATE_EXCLUSIONS} pull time update exclusions`,
      ),
    );
  }
  return accept({ type: "PullTimeUpdateExclusionRegistered", data });
};

export const decideDeregisterPullTimeUpdateExclusion = (
  state: RegistryState,
  { data }: DeregisterPullTimeUpdateExclusion,
) =>
  isRegistered(state, data.registryId, data.principalArn)
    ? accept({ type: "PullTimeUpdateExclusionDeregistered", data })
    : refuse(RegistryErrors.exclusionNotFound(data.principalArn, data.registryId));

export const pullTimeExclusionDecider: Slice<PullTimeExclusionCommand, PullTimeExclusionEvent> = {
  decide: {
    RegisterPullTimeUpdateExclusion: decideRegisterPullTimeUpdateExclusion,
    DeregisterPullTimeUpdateExclusion: decideDeregisterPullTimeUpdateExclusion,
  },
  evolve: {
    PullTimeUpdateExclusionRegistered: (draft, { data }) => {
      const settings = registrySettingsDraft(draft, data.registryId);
      settings.pullTimeUpdateExclusions = [
        ...settings.pullTimeUpdateExclusions,
        { principalArn: data.principalArn, createdAt: data.createdAt },
      ];
    },
    PullTimeUpdateExclusionDeregistered: (draft, { data }) => {
      const settings = registrySettingsDraft(draft, data.registryId);
      settings.pullTimeUpdateExclusions = settings.pullTimeUpdateExclusions.filter(
        (e) => e.principalArn !== data.principalArn,
      );
    },
  },
};
