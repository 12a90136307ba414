/**
 * Replication (ECR PutReplicationConfiguration, DescribeImageReplicationStatus): the configuration
 * is recorded in the registry's stream; pushes and tags it covers start rounds in the log, which
 * the replication worker (replication-worker.ts) carries out.
 */
import {
  describeImageReplicationStatus,
  type ImageIdentifier,
  type ImageReplicationStatusAnswer,
  type RegistryId,
  type ReplicationConfiguration,
  regionOf,
  replicationConfigurationOf,
} from "@berth/core";
import type { EventStore } from "../ports/event-store.js";
import type { CreationTemplateOperations } from "./creation-template-operations.js";
import type { RegistryInput, RegistryRuntime, RepositoryInput, Result } from "./registry-runtime.js";
import { createReplicationWorker, type ReplicationWorkerOptions } from "./replication-worker.js";

export interface ReplicationOperations {
  /** ECR PutReplicationConfiguration: replaces the registry's configuration whole. */
  putReplicationConfiguration(
    input: RegistryInput & { readonly replicationConfiguration: ReplicationConfiguration },
  ): Result<{ readonly replicationConfiguration: ReplicationConfiguration }>;
  /** ECR DescribeImageReplicationStatus: the image's last round, one status per destination. */
  describeImageReplicationStatus(
    input: RepositoryInput & { readonly imageId: ImageIdentifier },
  ): Result<ImageReplicationStatusAnswer>;
  /** Carries out every replication in progress now; resolves to how many destinations it ended. */
  runPendingReplications(): Promise<number>;
  /**
   * Runs the replication worker until `signal` aborts: every round in progress first (after a
   * restart), then each one the log records. `berth serve` runs it; so may an embedding service.
   */
  runReplicationWorker(options: ReplicationWorkerOptions): Promise<void>;
}

export const replicationOperations = (
  runtime: RegistryRuntime,
  events: EventStore,
  templates: Pick<CreationTemplateOperations, "createRepositoryFromTemplate">,
): ReplicationOperations => {
  const { run, query, registryOf, handler } = runtime;
  const worker = createReplicationWorker(runtime, events, (input) =>
    templates.createRepositoryFromTemplate(input),
  );
  return {
    putReplicationConfiguration: (input) => {
      const registryId: RegistryId = registryOf(input);
      return run(
        {
          type: "PutReplicationConfiguration",
          data: {
            registryId,
            replicationConfiguration: input.replicationConfiguration,
            region: regionOf(registryId, runtime.context.region),
          },
        },
        () => ({ replicationConfiguration: replicationConfigurationOf(handler.state, registryId) }),
      );
    },
    describeImageReplicationStatus: (input) =>
      query((state) => describeImageReplicationStatus(state, { ...input, registryId: registryOf(input) })),
    runPendingReplications: () => worker.runPending(),
    runReplicationWorker: (options) => worker.run(options),
  };
};
