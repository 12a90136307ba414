/** Events of registry-wide settings. */
import type { Event } from "../kernel/message.js";
import type { RegistryId } from "../values/primitives.js";

/** Registry-wide settings; `lenient` accepts what moto accepts (see README, "Lenient mode"). */
export type RegistrySettingsChanged = Event<
  "RegistrySettingsChanged",
  { readonly registryId: RegistryId; readonly lenient: boolean }
>;

export type RegistrySettingsEvent = RegistrySettingsChanged;
