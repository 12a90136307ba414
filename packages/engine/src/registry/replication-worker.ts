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

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });

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
    const copied = await handler.execute({
      type: "ReplicateImage",
      data: {
        ...ref,
        source: { registryId: r.registryId, repositoryName: r.repositoryName, imageDigest: r.imageDigest },
        replicatedAt: runtime.now(),
      },
    });
    return E.isLeft(copied) ? `${copied.left._tag}: ${copied.left.message}` : undefined;
  };

  /** One pass: every destination in progress now, in log order. Resolves to how many it ended. */
  const runPending = async (stop: AbortSignal = new AbortController().signal): Promise<number> => {
    await handler.catchUp();
    let ran = 0;
    for (const r of replicationsInProgress(handler.state)) {
      if (stop.aborted) break;
      if (!replicationStillInProgress(handler.state, r)) continue;
      await record(r, await copy(r));
      ran++;
    }
    return ran;
  };

  /** Waits until a round starts after `from` (or the worker stops). */
  const nextRoundAfter = async (from: bigint, signal: AbortSignal) => {
    for await (const event of events.subscribe({ after: from, signal })) {
      if (event.type === "ImageReplicationStarted") return;
    }
  };

  const run = async (options: ReplicationWorkerOptions): Promise<void> => {
    const { signal } = options;
    while (!signal.aborted) {
      try {
        await handler.catchUp();
        const from = handler.position;
        await runPending(signal);
        await nextRoundAfter(from, signal);
      } catch (error) {
        if (signal.aborted) return;
        options.onError?.(error);
        await sleep(options.retryDelayMs ?? 1000, signal);
      }
    }
  };

  return { runPending, run };
};
