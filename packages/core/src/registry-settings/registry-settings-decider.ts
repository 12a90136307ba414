/** The registry settings slice: lenient mode (PutRegistrySettings). */
import { decisionsOf } from "../kernel/decision.js";
import { type RegistryState, registrySettings, registrySettingsDraft } from "../kernel/registry-state.js";
import type { Slice } from "../kernel/slice.js";
import type { PutRegistrySettings, RegistrySettingsCommand } from "./registry-settings-commands.js";
import type { RegistrySettingsEvent } from "./registry-settings-events.js";

const { accept } = decisionsOf<RegistrySettingsEvent>();

/** Idempotent: asking for the settings the registry already has records nothing. */
export const decidePutRegistrySettings = (state: RegistryState, { data }: PutRegistrySettings) =>
  registrySettings(state, data.registryId).lenient === data.lenient
    ? accept()
    : accept({
        type: "RegistrySettingsChanged",
        data: { registryId: data.registryId, lenient: data.lenient },
      });

export const registrySettingsDecider: Slice<RegistrySettingsCommand, RegistrySettingsEvent> = {
  decide: { PutRegistrySettings: decidePutRegistrySettings },
  evolve: {
    RegistrySettingsChanged: (draft, { data }) => {
      registrySettingsDraft(draft, data.registryId).lenient = data.lenient;
    },
  },
};
