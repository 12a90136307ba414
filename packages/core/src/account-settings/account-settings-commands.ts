/** Commands on account settings. */
import type { Command } from "../kernel/message.js";
import type { RegistryId } from "../values/primitives.js";

/** Name and value as sent: the core checks them against ECR's lists. */
export type PutAccountSetting = Command<
  "PutAccountSetting",
  { readonly registryId: RegistryId; readonly name: string; readonly value: string }
>;

export type AccountSettingsCommand = PutAccountSetting;
