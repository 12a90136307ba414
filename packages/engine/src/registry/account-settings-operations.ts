/** Account settings: GetAccountSetting and PutAccountSetting. */
import { getAccountSetting } from "@berth/core";
import type { AnswerOf, RegistryInput, RegistryRuntime, Result } from "./registry-runtime.js";

export interface AccountSettingsOperations {
  /** ECR GetAccountSetting: the value set, else the default (InvalidParameterException for an unknown name). */
  getAccountSetting(
    input: RegistryInput & { readonly name: string },
  ): Result<AnswerOf<typeof getAccountSetting>>;
  /** ECR PutAccountSetting: BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE or BLOB_MOUNTING. */
  putAccountSetting(
    input: RegistryInput & { readonly name: string; readonly value: string },
  ): Result<{ name: string; value: string }>;
}

export const accountSettingsOperations = (runtime: RegistryRuntime): AccountSettingsOperations => ({
  getAccountSetting: (input) =>
    runtime.query((state) =>
      getAccountSetting(state, { registryId: runtime.registryOf(input), name: input.name }),
    ),
  putAccountSetting: (input) =>
    runtime.run(
      {
        type: "PutAccountSetting",
        data: { registryId: runtime.registryOf(input), name: input.name, value: input.value },
      },
      () => ({ name: input.name, value: input.value }),
    ),
});
