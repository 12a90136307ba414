/**
 * Replication (ECR PutReplicationConfiguration, DescribeImageReplicationStatus): the configuration
 * is recorded in the registry's stream; pushes and tags it covers start rounds in the log, which
 * the replication worker (replication-worker.ts) carries out.
 */
import {
  describeImageReplicationStatus,
  describeReplicationBackfillResults,
  type ImageIdentifier,
  type ImageReplicationStatusAnswer,
  listReplicationBackfills,
  type RegistryId,
  type ReplicationBackfillStatus,
  type ReplicationConfiguration,
  type ReplicationDestination,
  regionOf,
  replicationConfigurationOf,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { EventStore } from "../ports/event-store.js";
import type { CreationTemplateOperations } from "./creation-template-operations.js";
import type {
  AnswerOf,
  RegistryInput,
  RegistryRuntime,
  RepositoryInput,
  Result,
} from "./registry-runtime.js";
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
  /**
   * ECR StartReplicationBackfill: records the backfill (PREPARING), then starts a round for each image
   * of each repository the configuration replicates to `destination` that is not (being) replicated
   * there; the replication worker copies them. Answers the backfill as it started.
   */
  startReplicationBackfill(
    input: RegistryInput & { readonly destination: ReplicationDestination },
  ): Result<BackfillAnswer>;
  /**
   * ECR StopReplicationBackfill: no more rounds start; those started are still copied (STOPPING
   * until they end, then STOPPED).
   */
  stopReplicationBackfill(
    input: RegistryInput & { readonly replicationBackfillId: string },
  ): Result<BackfillAnswer>;
  listReplicationBackfills(
    input: RegistryInput & { readonly maxResults?: number; readonly nextToken?: string },
  ): Result<AnswerOf<typeof listReplicationBackfills>>;
  describeReplicationBackfillResults(
    input: RegistryInput & {
      readonly replicationBackfillId: string;
      readonly resultStatusFilter?: "COMPLETE" | "FAILED";
      readonly maxResults?: number;
      readonly nextToken?: string;
    },
  ): Result<AnswerOf<typeof describeReplicationBackfillResults>>;
  /** Carries out every replication in progress now; resolves to how many destinations it ended. */
  runPendingReplications(): Promise<number>;
  /**
   * Runs the replication worker until `signal` aborts: every round in progress first (after a
   * restart), then each one the log records. `berth serve` runs it; so may an embedding service.
   */
  runReplicationWorker(options: ReplicationWorkerOptions): Promise<void>;
}

export interface BackfillAnswer {
  readonly replicationBackfillId: string;
  readonly destination: ReplicationDestination;
  readonly status: ReplicationBackfillStatus;
  readonly startedAt: number;
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
  /** Starts a backfill's rounds in each repository of its registry, then ends its preparation. */
  const prepare = async (registryId: RegistryId, replicationBackfillId: string): Result<undefined> => {
    const names = [...handler.state.repositories.values()]
      .filter((r) => r.registryId === registryId)
      .map((r) => r.name);
    for (const repositoryName of names) {
      const data = { registryId, repositoryName, replicationBackfillId, at: runtime.now() };
      const done = await run({ type: "StartBackfillReplications", data }, () => undefined);
      if (E.isLeft(done)) return done;
    }
    return run(
      { type: "PrepareReplicationBackfill", data: { registryId, replicationBackfillId } },
      () => undefined,
    );
  };
  /** Backfills a stopped process left PREPARING: their preparation is finished (it is idempotent). */
  const resumePreparing = async () => {
    await handler.catchUp();
    for (const [registryId, settings] of handler.state.registries) {
      for (const b of settings.replicationBackfills ?? []) {
        if (!b.prepared && b.stoppedAt === undefined) await prepare(registryId, b.replicationBackfillId);
      }
    }
  };
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
    startReplicationBackfill: async (input) => {
      const registryId = registryOf(input);
      const replicationBackfillId = runtime.newId();
      const startedAt = runtime.now();
      const destination = { region: input.destination.region, registryId: input.destination.registryId };
      const started = await run(
        {
          type: "StartReplicationBackfill",
          data: { registryId, replicationBackfillId, destination, startedAt },
        },
        (): BackfillAnswer => ({ replicationBackfillId, destination, status: "PREPARING", startedAt }),
      );
      if (E.isLeft(started)) return started;
      const prepared = await prepare(registryId, replicationBackfillId);
      return E.isLeft(prepared) ? prepared : started;
    },
    stopReplicationBackfill: (input) => {
      const registryId = registryOf(input);
      const { replicationBackfillId } = input;
      return run(
        {
          type: "StopReplicationBackfill",
          data: { registryId, replicationBackfillId, stoppedAt: runtime.now() },
        },
        (): BackfillAnswer => {
          const view = describeReplicationBackfillResults(handler.state, {
            registryId,
            replicationBackfillId,
          });
          if (E.isLeft(view)) throw new Error(`The backfill ${replicationBackfillId} was just stopped`);
          const { status, destination, startedAt } = view.right;
          return { replicationBackfillId, destination, status, startedAt };
        },
      );
    },
    listReplicationBackfills: (input) =>
      query((state) => listReplicationBackfills(state, { ...input, registryId: registryOf(input) })),
    describeReplicationBackfillResults: (input) =>
      query((state) =>
        describeReplicationBackfillResults(state, { ...input, registryId: registryOf(input) }),
      ),
    runPendingReplications: () => worker.runPending(),
    runReplicationWorker: async (options) => {
      try {
        await resumePreparing();
      } catch (error) {
        options.onError?.(error); // the backfills stay PREPARING until the next start
      }
      return worker.run(options);
    },
  };
};
