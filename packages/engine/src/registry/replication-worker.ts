/**
 * The replication worker: copies every image whose replication round the log holds in progress to
 * each destination, and records how each ended. Driven from the event log, never from memory, like
 * the scan worker: a round is IN_PROGRESS in the state from the append of the push or tag that
 * started it, so a worker that starts (or restarts) finds every destination left unfinished, and
 * one that runs follows the global log to hear of new rounds. Copying is idempotent (the core's
 * ReplicateImage records only what the destination lacks) and so is recording (only a destination
 * still in progress), so a restart between the two duplicates nothing.
 */
import {
  type ImageReplicationStarted,
  isAwsRegion,
  type RegistryId,
  type ReplicationDestination,
  type ReplicationInProgress,
  type RepositoryName,
  registryKey,
  replicationRefusal,
  replicationStillInProgress,
  replicationsInProgress,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { EventStore } from "../ports/event-store.js";
import { abortableSleep } from "./abortable-sleep.js";
import type { RegistryRuntime, Result } from "./registry-runtime.js";

export interface ReplicationWorkerOptions {
  /** Stops the worker: the destination under way is left in progress for the next worker. */
  readonly signal: AbortSignal;
  /** Told of failures of the storage (the worker retries after `retryDelayMs`). */
  readonly onError?: (error: unknown) => void;
  readonly retryDelayMs?: number;
}

/**
 * The registry (its key) a destination names, or undefined when this server cannot reach it: the
 * one place that maps (region, registryId) to a registry. Berth serves every AWS region.
 */
export const destinationRegistry = (
  destination: ReplicationDestination,
  defaultRegion: string,
): RegistryId | undefined =>
  isAwsRegion(destination.region)
    ? registryKey(destination.registryId, destination.region, defaultRegion)
    : undefined;

type CreateFromTemplate = (input: {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly purpose: "REPLICATION";
  readonly implicitRootTemplate: boolean;
}) => Result<{ readonly created: boolean }>;

export const createReplicationWorker = (
  runtime: RegistryRuntime,
  events: EventStore,
  createFromTemplate: CreateFromTemplate,
) => {
  const { handler } = runtime;
  const localRegion = runtime.context.region;

  const record = (r: ReplicationInProgress, failureCode?: string) =>
    handler.execute({
      type: "RecordImageReplication",
      data: {
        registryId: r.registryId,
        repositoryName: r.repositoryName,
        imageDigest: r.imageDigest,
        startedAt: r.startedAt,
        destination: r.destination,
        outcome: failureCode === undefined ? { status: "COMPLETE" } : { status: "FAILED", failureCode },
      },
    });

  /** The failure code of a copy, or undefined once the destination holds the image and its tags. */
  const copy = async (r: ReplicationInProgress): Promise<string | undefined> => {
    const registryId = destinationRegistry(r.destination, localRegion);
    if (registryId === undefined) {
      return `REGION_NOT_SERVED: '${r.destination.region}' is not a region this Berth serves`;
    }
    const refusal = replicationRefusal(handler.state, r.registryId, registryId);
    if (refusal !== undefined) return refusal;
    const ref = { registryId, repositoryName: r.repositoryName };
    const created = await createFromTemplate({ ...ref, purpose: "REPLICATION", implicitRootTemplate: true });
    if (E.isLeft(created)) return `${created.left._tag}: ${created.left.message}`;
    const source = { registryId: r.registryId, repositoryName: r.repositoryName };
    const imageManifest = await runtime.manifests.read(source, r.imageDigest);
    if (imageManifest === undefined)
      return `ImageNotFoundException: the log holds no manifest for '${r.imageDigest}'`;
    const copied = await handler.execute({
      type: "ReplicateImage",
      data: {
        ...ref,
        source: { ...source, imageDigest: r.imageDigest },
        imageManifest,
        replicatedAt: runtime.now(),
      },
    });
    return E.isLeft(copied) ? `${copied.left._tag}: ${copied.left.message}` : undefined;
  };

  /** Copies and records each destination still in progress when its turn comes; how many it ended. */
  const runRounds = async (rounds: ReadonlyArray<ReplicationInProgress>, stop: AbortSignal) => {
    let ran = 0;
    for (const r of rounds) {
      if (stop.aborted) break;
      if (!replicationStillInProgress(handler.state, r)) continue;
      await record(r, await copy(r));
      ran++;
    }
    return ran;
  };

  /**
   * One pass over the whole state: every destination in progress now, in log order. Walks every
   * image, so the worker makes it only when it starts or recovers; after that it works from the
   * rounds the log announces (O(new events) per push).
   */
  const runPending = async (stop: AbortSignal = new AbortController().signal): Promise<number> => {
    await handler.catchUp();
    return runRounds(replicationsInProgress(handler.state), stop);
  };

  /** The destinations a round's start names: what a full pass would find of it. */
  const roundOf = ({ data }: Pick<ImageReplicationStarted, "data">): ReplicationInProgress[] =>
    data.destinations.map((destination) => ({
      registryId: data.registryId,
      repositoryName: data.repositoryName,
      imageDigest: data.imageDigest,
      startedAt: data.startedAt,
      destination: { region: destination.region, registryId: destination.registryId },
    }));

  /** Follows the log from `from`, running each round as its start arrives (until the worker stops). */
  const followRounds = async (from: bigint, signal: AbortSignal) => {
    const types = ["ImageReplicationStarted"];
    for await (const event of events.subscribe({ after: from, signal, types })) {
      if (event.type !== "ImageReplicationStarted") continue; // an adapter may ignore `types`
      await handler.catchUp(); // the round's own event and everything before it are folded
      await runRounds(roundOf(event as unknown as ImageReplicationStarted), signal);
    }
  };

  const run = async (options: ReplicationWorkerOptions): Promise<void> => {
    const { signal } = options;
    while (!signal.aborted) {
      try {
        await handler.catchUp();
        const from = handler.position;
        await runPending(signal); // what a previous process or a failure left in progress
        await followRounds(from, signal);
      } catch (error) {
        if (signal.aborted) return;
        options.onError?.(error);
        await abortableSleep(options.retryDelayMs ?? 1000, signal);
      }
    }
  };

  return { runPending, run };
};
