/**
 * The event store port. An adapter keeps streams of events, each with its own version, and one
 * global log that orders every committed event by position.
 *
 * Versions count events: a stream with three events is at version 3; a stream that does not exist is
 * at version 0. Positions are the global log's order, starting at 1; they are bigints because they
 * outgrow 2^53 in a long-lived registry and Postgres hands them out as int8.
 */
import type { JointStep } from "./joint-steps.js";

/** The version an append expects the stream to be at (Emmett's ExpectedStreamVersion). */
export type ExpectedStreamVersion =
  | number /* exactly this many events in the stream */
  | "NO_STREAM" /* the stream has no events yet */
  | "STREAM_EXISTS" /* the stream has at least one event */
  | "ANY";

/**
 * What the caller hands to `appendToStream`: a JSON-serializable `{ type, data }` record. `data` reads
 * back equal to one trip through JSON text (object key order may change); its strings must be valid
 * Unicode without U+0000, which Postgres' jsonb cannot keep.
 */
export interface EventToAppend {
  readonly type: string;
  readonly data: unknown;
}

/** An event as it was committed. */
export interface RecordedEvent<E extends EventToAppend = EventToAppend> {
  readonly streamName: string;
  /** 1-based version of this event inside its stream. */
  readonly streamVersion: number;
  /** Position in the global log: strictly increasing in commit order, never reused. */
  readonly globalPosition: bigint;
  readonly type: E["type"];
  readonly data: E["data"];
  /** When the store committed it (epoch milliseconds, the store's clock). */
  readonly recordedAt: number;
}

export interface AppendResult {
  /** The stream's version after the append. */
  readonly nextExpectedStreamVersion: number;
  /** Position of the last appended event (for an empty append: the stream's last event, 0n if none). */
  readonly lastGlobalPosition: bigint;
}

/** The stream was not at the expected version: nothing was written. */
export class ExpectedVersionConflictError extends Error {
  override readonly name = "ExpectedVersionConflictError";
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedStreamVersion,
    readonly actual: number | undefined,
  ) {
    super(`Stream ${streamName} is at version ${actual ?? "unknown"}, append expected ${String(expected)}`);
  }
}

export interface ReadStreamOptions {
  /** Read events whose streamVersion is greater than this (default 0: from the start). */
  readonly afterVersion?: number;
  /** Read at most this many events. */
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events whose globalPosition is greater than this (default 0n: from the start). */
  readonly after?: bigint;
  /** Read at most this many events (adapters may cap it; callers loop until an empty batch). */
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Deliver events whose globalPosition is greater than this (default 0n). */
  readonly after?: bigint;
  /** Stops the subscription: the iterator then finishes. */
  readonly signal?: AbortSignal;
  /**
   * Only events of these types are delivered (every event when absent), still in order, none
   * skipped. A store may then leave the subscriber asleep while other events are appended: a
   * worker that follows one kind of event costs no read per command.
   */
  readonly types?: ReadonlyArray<string>;
}

/** What `appendIfLogAt` did: appended, or found the log moved past the caller's position. */
export type GuardedAppendResult =
  | { readonly appended: AppendResult }
  | {
      /**
       * Events committed after the caller's position, in order, starting right after it: all of them
       * up to `logPosition`, or fewer when the store caps the count (read the rest with readAll).
       */
      readonly missed: ReadonlyArray<RecordedEvent>;
      /** The log's last position when the store looked: nothing was written. */
      readonly logPosition: bigint;
    };

export interface EventStore {
  /**
   * Appends `events` to `streamName` iff the stream is at `expected`, atomically: all or nothing.
   * Rejects with ExpectedVersionConflictError otherwise. An empty `events` is a no-op check.
   * With a joint `step` (only from the blob store of `jointStorage`), the step commits with the
   * events or neither does; JointStepFailedError when the step cannot be carried out.
   */
  appendToStream(
    streamName: string,
    events: ReadonlyArray<EventToAppend>,
    expected?: ExpectedStreamVersion,
    step?: JointStep,
  ): Promise<AppendResult>;

  /**
   * Optional: `appendToStream`, but only while the global log still ends at `position`. When events
   * were committed after it, nothing is written and they come back instead, so a caller that had
   * folded the log up to `position` may decide without reading first and learn in the same call
   * whether it decided on the whole log. Stores that can do this in one round trip implement it.
   */
  appendIfLogAt?(
    streamName: string,
    events: ReadonlyArray<EventToAppend>,
    expected: ExpectedStreamVersion | undefined,
    position: bigint,
    step?: JointStep,
  ): Promise<GuardedAppendResult>;

  /**
   * Optional: the storage whose blob store's joint steps (`BlobStore.joint`) this store's appends
   * carry out, the two being in one database (see joint-steps.ts). Stores that carry none leave it
   * out, and are never handed a step.
   */
  readonly jointStorage?: string;

  /** Events of one stream in version order; an unknown stream reads as empty. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<ReadonlyArray<RecordedEvent>>;

  /** Current version of a stream (0 when it does not exist). */
  streamVersion(streamName: string): Promise<number>;

  /**
   * Optional, the one index of the log's contents a registry asks for: the `imageManifest` of the
   * last `ImagePushed` event of `streamName` whose `imageDigest` is `imageDigest` (undefined when
   * there is none). The registry keeps no manifest text in memory and reads it here when an image is
   * pulled; a store that can look it up by an index (not by reading the stream) implements it.
   * Without it, the engine reads the stream.
   */
  readImageManifest?(streamName: string, imageDigest: string): Promise<string | undefined>;

  /**
   * The global log in position order. Never skips a committed event: an event that commits later
   * never gets a position lower than one already returned to any reader.
   */
  readAll(options?: ReadAllOptions): Promise<ReadonlyArray<RecordedEvent>>;

  /** Every event committed after `after`, in order, as it commits; never skips, never repeats. */
  subscribe(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;

  /** Releases connections and wakes subscribers so they finish. */
  close(): Promise<void>;
}
