/** Commands on the registry's signing configuration. */
import type { Command } from "../kernel/message.js";
import type { SigningRuleState } from "../kernel/registry-state.js";
import type { RegistryId } from "../values/primitives.js";

export type PutSigningConfiguration = Command<
  "PutSigningConfiguration",
  { readonly registryId: RegistryId; readonly rules: ReadonlyArray<SigningRuleState> }
>;
export type DeleteSigningConfiguration = Command<
  "DeleteSigningConfiguration",
  { readonly registryId: RegistryId }
>;

export type SigningCommand = PutSigningConfiguration | DeleteSigningConfiguration;
