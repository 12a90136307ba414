/** DescribeRegistry. */
import type { RegistryState } from "../kernel/registry-state.js";
import type { RegistryId } from "../values/primitives.js";

/** Berth does not replicate: the replication configuration is always empty. */
export const describeRegistry = (
  _state: RegistryState,
  query: { readonly registryId: RegistryId },
): { registryId: RegistryId; replicationConfiguration: { rules: ReadonlyArray<never> } } => ({
  registryId: query.registryId,
  replicationConfiguration: { rules: [] },
});
