/** The signing slice: PutSigningConfiguration and DeleteSigningConfiguration (a registry setting). */
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettings, registrySettingsDraft } from "../kernel/registry-state.js";
import type { Slice } from "../kernel/slice.js";
import type {
  DeleteSigningConfiguration,
  PutSigningConfiguration,
  SigningCommand,
} from "./signing-commands.js";
import type { SigningEvent } from "./signing-events.js";

const { accept, refuse } = decisionsOf<SigningEvent>();

/** The request codec holds the rules to the model (at most 10, filters well-formed): nothing more to check. */
export const decidePutSigningConfiguration = (_state: RegistryState, { data }: PutSigningConfiguration) =>
  accept({ type: "SigningConfigurationPut", data: { registryId: data.registryId, rules: data.rules } });

export const decideDeleteSigningConfiguration = (
  state: RegistryState,
  { data }: DeleteSigningConfiguration,
) =>
  registrySettings(state, data.registryId).signingRules === undefined
    ? refuse(RegistryErrors.signingConfigurationNotFound(data.registryId))
    : accept({ type: "SigningConfigurationDeleted", data: { registryId: data.registryId } });

export const signingDecider: Slice<SigningCommand, SigningEvent> = {
  decide: {
    PutSigningConfiguration: decidePutSigningConfiguration,
    DeleteSigningConfiguration: decideDeleteSigningConfiguration,
  },
  evolve: {
    SigningConfigurationPut: (draft, { data }) => {
      registrySettingsDraft(draft, data.registryId).signingRules = data.rules;
    },
    SigningConfigurationDeleted: (draft, { data }) => {
      registrySettingsDraft(draft, data.registryId).signingRules = undefined;
    },
  },
};
