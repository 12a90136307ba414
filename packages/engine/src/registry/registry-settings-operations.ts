/** The registry itself: DescribeRegistry and the settings recorded in the log (lenient mode). */
import { describeRegistry, type RegistryId } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { RegistryInput, RegistryRuntime, Result } from "./registry-runtime.js";

export interface RegistrySettingsOperations {
  /** ECR DescribeRegistry. */
  describeRegistry(input?: RegistryInput): Result<ReturnType<typeof describeRegistry>>;
  /** Registry-wide settings recorded in the log (lenient: accept what moto accepts). */
  putRegistrySettings(
    input: RegistryInput & { readonly lenient: boolean },
  ): Result<{ registryId: RegistryId; lenient: boolean }>;
}

export const registrySettingsOperations = (runtime: RegistryRuntime): RegistrySettingsOperations => ({
  describeRegistry: (input = {}) =>
    runtime.query((state) => E.right(describeRegistry(state, { registryId: runtime.registryOf(input) }))),
  putRegistrySettings: (input) => {
    const registryId = runtime.registryOf(input);
    return runtime.run({ type: "PutRegistrySettings", data: { registryId, lenient: input.lenient } }, () => ({
      registryId,
      lenient: input.lenient,
    }));
  },
});
