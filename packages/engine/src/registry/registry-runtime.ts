/**
 * What every capability's operations share: the command handler, the clock and ids given as data to
 * the core, the default registry, and the four ways an operation runs (a command answered from the
 * state after it, from its events, from the state it was decided on; a query).
 */
import {
  type BerthCommand,
  type BerthEvent,
  DEFAULT_GC_GRACE_MS,
  DEFAULT_UPLOAD_TTL_MS,
  type QueryContext,
  type RegistryError,
  type RegistryId,
  type RegistryState,
  type RepositoryName,
  type Timestamp,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { CommandHandler, type CommandHandlerOptions } from "../command-handler.js";
import type { BlobStore } from "../ports/blob-store.js";
import type { EventStore } from "../ports/event-store.js";
import type { JointBlobSteps } from "../ports/joint-steps.js";
import type { Scanner } from "../ports/scanner.js";
import type { PullThroughOptions } from "../ports/upstream-registry.js";
import {
  createStateSnapshots,
  type SnapshotOptions,
  type StateSnapshots,
} from "../snapshots/state-snapshots.js";
import { createManifestReader, type ManifestReader } from "./manifest-reader.js";
import { createPullRecorder, type PullRecorder } from "./pull-recorder.js";

export interface RegistryOptions extends CommandHandlerOptions, PullThroughOptions {
  readonly events: EventStore;
  readonly blobs: BlobStore;
  /** Epoch milliseconds; defaults to Date.now. */
  readonly clock?: () => number;
  /** Fresh upload ids (uuids); defaults to crypto.randomUUID. */
  readonly ids?: () => string;
  /** The registry used when a request names none (default 000000000000). */
  readonly defaultRegistryId?: RegistryId;
  /** Region for ARNs and the host for repository URIs (default us-east-1, localhost:5000). */
  readonly context?: QueryContext;
  /** Finds vulnerabilities in the images scans run on (default: a scanner that finds nothing). */
  readonly scanner?: Scanner;
  /** How long one scan may take before it is recorded FAILED (default 5 minutes). */
  readonly scanTimeoutMs?: number;
  /**
   * Called when recording a pull time fails (pulls never wait for, nor fail with, their record; the
   * next pull retries it). Defaults to a warning on the console.
   */
  readonly onPullRecordError?: (error: unknown) => void;
  /** How long an upload session stays open, in milliseconds (default 24 hours). */
  readonly uploadTtl?: number;
  /** How long a blob stays once nothing references it, in milliseconds (default 1 hour). */
  readonly gcGrace?: number;
  /**
   * Snapshots of the folded state: the first catch-up starts from the latest one instead of the
   * start of the log, and new ones are written in the background (see snapshots/state-snapshots.ts).
   */
  readonly snapshots?: SnapshotOptions;
  /**
   * How many characters of manifest text to keep in memory, most recently pulled or pushed first
   * (default 32 Mi): the state keeps none, the log keeps them all (see manifest-reader.ts).
   */
  readonly manifestCacheSize?: number;
}

/** Every operation resolves to an Either: Left is a fault the caller can fix, named like ECR's. */
export type Result<A> = Promise<E.Either<RegistryError, A>>;

/** The Right side of a core query: what the registry answers for it. */
export type AnswerOf<Query extends (...args: never[]) => E.Either<RegistryError, unknown>> =
  ReturnType<Query> extends E.Either<RegistryError, infer A> ? A : never;

/** A request's registry is optional: the default registry (the caller's account) is used. */
export interface RegistryInput {
  readonly registryId?: RegistryId;
}
export interface RepositoryInput extends RegistryInput {
  readonly repositoryName: RepositoryName;
}
export type WithRegistry<T> = Omit<T, "registryId"> & RegistryInput;

export interface RepositoryRef {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

export interface RegistryRuntime {
  readonly handler: CommandHandler;
  /** The snapshot writer, when the options name a snapshot store. */
  readonly snapshots: StateSnapshots | undefined;
  readonly blobs: BlobStore;
  /** The blob store's joint steps, when the event store carries them out (joint-steps.ts). */
  readonly joint: JointBlobSteps | undefined;
  readonly context: QueryContext;
  /** Upload sessions' lifetime and garbage collection's grace period, in milliseconds. */
  readonly uploadTtl: number;
  readonly gcGrace: number;
  readonly now: () => Timestamp;
  readonly newId: () => string;
  /** Pull times, recorded beside the pulls (see pull-recorder.ts). */
  readonly pulls: PullRecorder;
  /** Manifest text, read from the log through a bounded cache (see manifest-reader.ts). */
  readonly manifests: ManifestReader;
  readonly registryOf: (input: { readonly registryId?: RegistryId | undefined }) => RegistryId;
  readonly refOf: (input: RepositoryInput) => RepositoryRef;
  /** Runs a command; on success answers from the state right after its events were folded. */
  readonly run: <A>(command: BerthCommand, answer: () => A) => Result<A>;
  /** Runs a command; on success answers from its events. */
  readonly runWithEvents: <A>(
    command: BerthCommand,
    answer: (events: ReadonlyArray<BerthEvent>) => A,
  ) => Result<A>;
  /** Runs a command and answers from what `observe` read of the state it was decided on. */
  readonly runObserving: <A, B>(
    command: BerthCommand,
    observe: (decidedOn: RegistryState) => B,
    answer: (before: B) => A,
  ) => Result<A>;
  /** Answers a query from state caught up with everything committed before the call. */
  readonly query: <A>(read: (state: RegistryState) => E.Either<RegistryError, A>) => Result<A>;
}

/** The blob store's joint steps, when the event store is the one that carries them out. */
const jointStepsOf = ({ blobs, events }: RegistryOptions): JointBlobSteps | undefined =>
  blobs.joint !== undefined && blobs.joint.storage === events.jointStorage ? blobs.joint : undefined;

const DEFAULT_CONTEXT: QueryContext = { region: "us-east-1", registryHost: () => "localhost:5000" };

export const createRegistryRuntime = (options: RegistryOptions): RegistryRuntime => {
  const snapshots =
    options.snapshots === undefined ? undefined : createStateSnapshots(options.events, options.snapshots);
  const handler = new CommandHandler(options.events, options, snapshots?.restore);
  snapshots?.start(handler);
  const clock = options.clock ?? Date.now;
  const defaultRegistryId = options.defaultRegistryId ?? ("000000000000" as RegistryId);
  const registryOf = (input: { readonly registryId?: RegistryId | undefined }) =>
    input.registryId ?? defaultRegistryId;
  const execute = async <A, B>(
    command: BerthCommand,
    observe: ((decidedOn: RegistryState) => B) | undefined,
    answer: (events: ReadonlyArray<BerthEvent>, before: B) => A,
  ): Result<A> => {
    const executed = await handler.execute(command, observe);
    return E.isLeft(executed) ? executed : E.right(answer(executed.right.events, executed.right.before));
  };
  const onPullRecordError =
    options.onPullRecordError ??
    ((error: unknown) => console.warn("berth: recording a pull time failed; the next pull retries", error));
  return {
    handler,
    snapshots,
    pulls: createPullRecorder(handler, onPullRecordError),
    manifests: createManifestReader(options.events, options.manifestCacheSize),
    blobs: options.blobs,
    joint: jointStepsOf(options),
    context: options.context ?? DEFAULT_CONTEXT,
    uploadTtl: options.uploadTtl ?? DEFAULT_UPLOAD_TTL_MS,
    gcGrace: options.gcGrace ?? DEFAULT_GC_GRACE_MS,
    now: () => clock() as Timestamp,
    newId: options.ids ?? (() => crypto.randomUUID()),
    registryOf,
    refOf: (input) => ({ registryId: registryOf(input), repositoryName: input.repositoryName }),
    run: (command, answer) => execute(command, undefined, () => answer()),
    runWithEvents: (command, answer) => execute(command, undefined, (events) => answer(events)),
    runObserving: (command, observe, answer) => execute(command, observe, (_, before) => answer(before)),
    query: async (read) => {
      await handler.catchUp();
      return read(handler.state);
    },
  };
};
