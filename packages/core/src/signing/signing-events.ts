/** Events of the registry's signing configuration; both go to the registry's stream. */
import type { Event } from "../kernel/message.js";
import type { SigningRuleState } from "../kernel/registry-state.js";
import type { RegistryId } from "../values/primitives.js";

export type SigningConfigurationPut = Event<
  "SigningConfigurationPut",
  { readonly registryId: RegistryId; readonly rules: ReadonlyArray<SigningRuleState> }
>;
export type SigningConfigurationDeleted = Event<
  "SigningConfigurationDeleted",
  { readonly registryId: RegistryId }
>;

export type SigningEvent = SigningConfigurationPut | SigningConfigurationDeleted;
