/** PutImageScanningConfiguration and PutRegistryScanningConfiguration. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, requireRepository } from "../kernel/registry-state.js";
import type { PutImageScanningConfiguration, PutRegistryScanningConfiguration } from "./scanning-commands.js";
import type { ScanningEvent } from "./scanning-events.js";

const { accept, refuse } = decisionsOf<ScanningEvent>();

/** Always recorded, as ECR answers every put with the configuration it now holds. */
export const decidePutImageScanningConfiguration = (
  state: RegistryState,
  { data }: PutImageScanningConfiguration,
) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) =>
      repository.scanOnPush === data.scanOnPush
        ? accept()
        : accept({
            type: "ImageScanningConfigurationChanged",
            data: {
              registryId: data.registryId,
              repositoryName: data.repositoryName,
              scanOnPush: data.scanOnPush,
            },
          }),
    ),
  );

/** Basic scanning knows scan on push and manual scans only; continuous scanning is enhanced. */
const BASIC_FREQUENCIES: ReadonlyArray<string> = ["SCAN_ON_PUSH", "MANUAL"];

/**
 * Replaces the registry's configuration whole (a put without rules clears them). Basic scanning
 * refuses CONTINUOUS_SCAN, with ECR's message.
 */
export const decidePutRegistryScanningConfiguration = (
  _state: RegistryState,
  { data }: PutRegistryScanningConfiguration,
) => {
  const scanType = data.scanType ?? "BASIC";
  const rules = data.rules ?? [];
  const unsupported = rules.find(
    (rule) => scanType === "BASIC" && !BASIC_FREQUENCIES.includes(rule.scanFrequency),
  );
  if (unsupported !== undefined) {
    return refuse(
      RegistryErrors.invalidParameter(
        `Invalid parameter at 'scanFrequency' failed to satisfy constraint: 'The scan frequency ${unsupported.scanFrequency} is not supported for scan type BASIC. Supported scan frequencies for scan type BASIC: [SCAN_ON_PUSH, MANUAL]'`,
      ),
    );
  }
  return accept({
    type: "RegistryScanningConfigurationChanged",
    data: { registryId: data.registryId, scanType, rules },
  });
};
