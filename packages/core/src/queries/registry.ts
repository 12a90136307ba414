/** GetRegistryPolicy and DescribeRegistry. */
import * as E from "fp-ts/lib/Either.js";
import { type RegistryError, RegistryErrors } from "../errors.js";
import { type RegistryState, registrySettings } from "../state.js";
import type { RegistryId } from "../values/primitives.js";

export const getRegistryPolicy = (
  state: RegistryState,
  query: { readonly registryId: RegistryId },
): E.Either<RegistryError, { registryId: RegistryId; policyText: string }> => {
  const policyText = registrySettings(state, query.registryId).policyText;
  return policyText === undefined
    ? E.left(RegistryErrors.registryPolicyNotFound(query.registryId))
    : E.right({ registryId: query.registryId, policyText });
};

/** Berth does not replicate: the replication configuration is always empty. */
export const describeRegistry = (
  _state: RegistryState,
  query: { readonly registryId: RegistryId },
): { registryId: RegistryId; replicationConfiguration: { rules: ReadonlyArray<never> } } => ({
  registryId: query.registryId,
  replicationConfiguration: { rules: [] },
});
