/** DescribeRegistry. */
import type { RegistryState } from "../kernel/registry-state.js";
import { replicationConfigurationOf } from "../replication/replication-queries.js";
import type { ReplicationConfiguration } from "../replication/replication-values.js";
import type { RegistryId } from "../values/primitives.js";

/** The registry's replication configuration (PutReplicationConfiguration); no rules until one is put. */
export const describeRegistry = (
  state: RegistryState,
  query: { readonly registryId: RegistryId },
): { registryId: RegistryId; replicationConfiguration: ReplicationConfiguration } => ({
  registryId: query.registryId,
  replicationConfiguration: replicationConfigurationOf(state, query.registryId),
});
