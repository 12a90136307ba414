/**
 * The command handler: fold → decide → append, with retry on conflict.
 *
 * Each process keeps one projection of the registry, fed from the global log in position order, and
 * the version of the streams it used last (stream-versions.ts). A query first catches up on the log
 * (one read of what is new), so a write through another process is seen by the next read here. A command is decided on
 * the projection as it is and appended only if the log still ends where the projection does
 * (`appendIfLogAt`): then it was decided on the whole log, in one call to the store. If the log had
 * moved on, what it missed comes back instead, is folded, and the command is decided again and
 * appended at the stream's version; a refusal is answered only after a catch-up read confirms it.
 * Stores without `appendIfLogAt` are read first, then appended to. Appends carry the stream's
 * version as seen by the projection: if another process got there first the store refuses, and the
 * command is decided again against the fresher state. A command costs O(new events), not O(history).
 */
import {
  type BerthCommand,
  type BerthEvent,
  createProjection,
  decide,
  isBerthEvent,
  type Projection,
  type RegistryError,
  RegistryErrors,
  type RegistryState,
  type RestoredSnapshot,
  type StateSnapshot,
  streamOf,
  streamOfCommand,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { createKeyedLock } from "./adapter-kit/keyed-lock.js";
import {
  type AppendResult,
  type EventStore,
  ExpectedVersionConflictError,
  type RecordedEvent,
} from "./ports/event-store.js";
import type { JointStep } from "./ports/joint-steps.js";
import { holdsUnstorableText } from "./storable-text.js";
import { exactStreamVersion, StreamVersions } from "./stream-versions.js";

const UNSTORABLE_TEXT = RegistryErrors.invalidParameter(
  "Invalid parameter: the request holds text no storage can keep (a NUL character or an unpaired surrogate)",
);

export interface Executed<B> {
  readonly events: ReadonlyArray<BerthEvent>;
  readonly before: B;
}

/** Thrown when a command keeps losing races; the HTTP edge reports it as a ServerException. */
export class ConflictRetriesExhaustedError extends Error {
  override readonly name = "ConflictRetriesExhaustedError";
}

export interface CommandHandlerOptions {
  /** How many times a command is decided again after losing a race (default 50). */
  readonly maxAttempts?: number;
  /** How many events one catch-up read asks for at a time (default 1000). */
  readonly readBatchSize?: number;
  /** How many streams' versions to remember (default 100,000; see stream-versions.ts). */
  readonly rememberedStreams?: number;
}

/** A restored snapshot, and the stream of the event at its position (to check the log still has it). */
export interface RestoredState extends RestoredSnapshot {
  readonly lastStream: string | undefined;
}

/**
 * After a lost race: a random while, longer each time (up to 100 ms), so that writers hammering
 * one stream, or one log, take turns instead of colliding in lockstep.
 */
const backOff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 100)));

export class CommandHandler {
  readonly #store: EventStore;
  #projection: Projection = createProjection();
  #versions: StreamVersions;
  /** The stream of the event at `#position`: a snapshot names it, so a restart can check its log. */
  #lastStream: string | undefined;
  /** Where the first catch-up starts from (a snapshot), until it has run. */
  #restore: (() => Promise<RestoredState | undefined>) | undefined;
  /** Commands on one stream run one at a time in this process, so they do not race each other. */
  readonly #streams = createKeyedLock();
  readonly #maxAttempts: number;
  readonly #batchSize: number;
  readonly #rememberedStreams: number | undefined;
  #position = 0n;
  #catchingUp: Promise<void> | undefined;
  #catchUpAgain = false;

  constructor(
    store: EventStore,
    options: CommandHandlerOptions = {},
    restore?: () => Promise<RestoredState | undefined>,
  ) {
    this.#store = store;
    this.#restore = restore;
    this.#maxAttempts = options.maxAttempts ?? 50;
    this.#batchSize = options.readBatchSize ?? 1000;
    this.#rememberedStreams = options.rememberedStreams;
    this.#versions = new StreamVersions(options.rememberedStreams);
  }

  /** The folded state as of the last catch-up: read it synchronously, right after `catchUp()`. */
  get state(): RegistryState {
    return this.#projection.state;
  }

  /** Global position of the last event folded. */
  get position(): bigint {
    return this.#position;
  }

  /**
   * A copy of the folded state, its position and every stream's version, taken synchronously (so
   * consistent): what a snapshot is encoded from while this handler folds on.
   */
  capture(): StateSnapshot & { readonly lastStream: string | undefined } {
    return {
      position: this.#position,
      versions: this.#versions.copy(),
      state: createProjection(this.#projection.state).state,
      lastStream: this.#lastStream,
    };
  }

  /**
   * Folds every event committed before this call. Concurrent callers share one reader; a caller
   * that arrives while a read is under way gets a further read, so nothing committed before its
   * call is missed.
   */
  catchUp(): Promise<void> {
    if (this.#catchingUp !== undefined) {
      this.#catchUpAgain = true;
      return this.#catchingUp;
    }
    this.#catchingUp = (async () => {
      try {
        if (this.#restore !== undefined) {
          const restored = await this.#restore();
          this.#restore = undefined;
          if (restored !== undefined) this.#adopt(restored);
        }
        do {
          this.#catchUpAgain = false;
          await this.#readNewEvents();
        } while (this.#catchUpAgain);
      } finally {
        this.#catchingUp = undefined;
      }
    })();
    return this.#catchingUp;
  }

  #adopt(restored: RestoredState): void {
    this.#projection = restored.projection;
    this.#versions = StreamVersions.restored(restored.versions, this.#rememberedStreams);
    this.#position = restored.position;
    this.#lastStream = restored.lastStream;
  }

  /** A forgotten stream's version, from the store, if it is the one as of the folded position. */
  async #recallVersion(stream: string): Promise<void> {
    const version = await exactStreamVersion(this.#store, stream, this.#position);
    if (version !== undefined && this.#versions.get(stream) === undefined)
      this.#versions.set(stream, version);
  }

  async #readNewEvents(): Promise<void> {
    for (;;) {
      const batch = await this.#store.readAll({ after: this.#position, maxCount: this.#batchSize });
      this.#fold(batch);
      // Only an empty batch says the log is read: adapters may cap maxCount (see ReadAllOptions),
      // so a short batch can still be followed by more.
      if (batch.length === 0) return;
    }
  }

  /** Folds recorded events in position order, skipping those already folded. */
  #fold(batch: ReadonlyArray<RecordedEvent>): void {
    for (const recorded of batch) {
      if (recorded.globalPosition <= this.#position) continue;
      if (isBerthEvent(recorded))
        this.#projection.apply({ type: recorded.type, data: recorded.data } as BerthEvent);
      this.#versions.set(recorded.streamName, recorded.streamVersion);
      this.#position = recorded.globalPosition;
      this.#lastStream = recorded.streamName;
    }
  }

  /**
   * Folds events this handler just appended without reading them back, when nothing else was
   * committed since the last event it folded (their positions then directly follow it). Otherwise
   * returns false and the caller catches up from the log. Saves two reads per command.
   */
  #foldOwnAppend(stream: string, events: ReadonlyArray<BerthEvent>, appended: AppendResult): boolean {
    // Already folded, from what another command of this process found it had missed.
    if (this.#position >= appended.lastGlobalPosition) return true;
    if (appended.lastGlobalPosition - BigInt(events.length) !== this.#position) return false;
    for (const event of events) this.#projection.apply(event);
    this.#versions.set(stream, appended.nextExpectedStreamVersion);
    this.#position = appended.lastGlobalPosition;
    this.#lastStream = stream;
    return true;
  }

  /** Whether `executeWhile` may be used: the store appends only while the log ends where told. */
  get guardsAppends(): boolean {
    return this.#store.appendIfLogAt !== undefined;
  }

  /**
   * Decides `command` against fresh state and appends its events. Resolves to the refusal, or to
   * the events as appended (already folded into `state`) and what `observe` read from the state
   * they were decided on (for answers such as "what was deleted"). A joint `step` (joint-steps.ts)
   * commits with the events, or not at all: JointStepFailedError when it cannot be carried out.
   */
  execute<B = undefined>(
    command: BerthCommand,
    observe?: (decidedOn: RegistryState) => B,
    step?: JointStep,
  ): Promise<E.Either<RegistryError, Executed<B>>> {
    return this.#streams.run(streamOfCommand(command), () =>
      this.#decideAndAppend(command, observe, undefined, step),
    ) as Promise<E.Either<RegistryError, Executed<B>>>;
  }

  /**
   * `execute`, but appended only while `condition` holds of the state the command is decided on and
   * the log still ends where that state does: every attempt appends through `appendIfLogAt`, so what
   * the condition read is what the whole log said when the events went in. Resolves to undefined,
   * nothing appended, when the condition does not hold of the state the handler holds. Only for
   * stores that guard appends (`guardsAppends`).
   */
  executeWhile(
    command: BerthCommand,
    condition: (decidedOn: RegistryState) => boolean,
    step?: JointStep,
  ): Promise<E.Either<RegistryError, Executed<undefined>> | undefined> {
    if (!this.guardsAppends) throw new Error("executeWhile needs an event store with appendIfLogAt");
    return this.#streams.run(streamOfCommand(command), () =>
      this.#decideAndAppend(command, undefined, condition, step),
    );
  }

  async #decideAndAppend<B>(
    command: BerthCommand,
    observe: ((decidedOn: RegistryState) => B) | undefined,
    condition: ((decidedOn: RegistryState) => boolean) | undefined,
    step: JointStep | undefined,
  ): Promise<E.Either<RegistryError, Executed<B>> | undefined> {
    // Whether the state holds everything committed before this call. Only then may a refusal or a
    // no-op be answered; an append is checked instead by appendIfLogAt when the store has it.
    let current = false;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (!current && this.#store.appendIfLogAt === undefined) {
        await this.catchUp();
        current = true;
      }
      // decide, observe and the expected version all read the same state: no await in between.
      const position = this.#position;
      if (condition !== undefined && !condition(this.state)) return undefined;
      const decision = decide(this.state, command);
      const events = E.isRight(decision) ? decision.right : [];
      const answer = E.isLeft(decision)
        ? decision
        : events.length === 0
          ? E.right({ events, before: observe?.(this.state) as B })
          : events.some((event) => holdsUnstorableText(event.data))
            ? E.left(UNSTORABLE_TEXT)
            : undefined;
      if (answer !== undefined) {
        if (current) return answer;
        await this.catchUp();
        current = true;
        if (this.#position === position) return answer;
        attempt -= 1; // not a lost race: decide again on the newer state
        continue;
      }
      const before = observe?.(this.state) as B;
      const stream = streamOf(events[0]!);
      const remembered = this.#versions.get(stream);
      const expected = remembered ?? "NO_STREAM";
      let appended: AppendResult;
      try {
        const outcome =
          current && condition === undefined
            ? { appended: await this.#store.appendToStream(stream, events, expected, step) }
            : await this.#store.appendIfLogAt!(stream, events, expected, position, step);
        current = true;
        if (!("appended" in outcome)) {
          // The log had moved on since the last fold: what it missed came back; decide again. Missed
          // again and again (writers busy on other streams), take turns as a lost race does.
          this.#fold(outcome.missed);
          if (attempt > 1) await backOff(attempt - 1);
          if (this.#position < outcome.logPosition) await this.catchUp();
          continue;
        }
        appended = outcome.appended;
      } catch (error) {
        if (!(error instanceof ExpectedVersionConflictError)) throw error;
        current = true; // the catch-up below reads everything committed before this call
        await backOff(attempt);
        await this.catchUp();
        if (remembered === undefined) await this.#recallVersion(stream);
        continue;
      }
      if (!this.#foldOwnAppend(stream, events, appended)) await this.catchUp();
      return E.right({ events, before });
    }
    throw new ConflictRetriesExhaustedError(
      `${command.type} lost ${this.#maxAttempts} races for ${streamOfCommand(command)}; try again`,
    );
  }
}
