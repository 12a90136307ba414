/** Events of account settings (in the registry's stream). */
import type { Event } from "../kernel/message.js";
import type { RegistryId } from "../values/primitives.js";
import type { AccountSettingName } from "./account-setting-values.js";

export type AccountSettingChanged = Event<
  "AccountSettingChanged",
  { readonly registryId: RegistryId; readonly name: AccountSettingName; readonly value: string }
>;

export type AccountSettingsEvent = AccountSettingChanged;
