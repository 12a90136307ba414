/** Commands on registry-wide settings. */
import type { Command } from "../kernel/message.js";
import type { RegistryId } from "../values/primitives.js";

export type PutRegistrySettings = Command<
  "PutRegistrySettings",
  { readonly registryId: RegistryId; readonly lenient: boolean }
>;

export type RegistrySettingsCommand = PutRegistrySettings;
