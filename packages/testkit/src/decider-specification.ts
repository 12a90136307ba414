/**
 * A given/when/then specification for deciders, in Emmett's style:
 *
 *   const spec = DeciderSpecification.for({ decide, evolve, initialState });   // or { decide, fold, … }
 *   spec([...givenEvents]).when(command).then([...expectedEvents]);
 *   spec([...givenEvents]).when(command).thenFails("RepositoryNotFoundException", { message: … });
 *   spec([...givenEvents]).when(command).thenNothingHappens();
 *
 * Unlike Emmett's deciders, `decide` returns an Either (fp-ts spells it `{ _tag: "Left", left }` /
 * `{ _tag: "Right", right }`): a refusal is a value, never a throw. Assertions use vitest's `expect`,
 * so a failing specification reads like any other failing test.
 */
import {
  type BerthCommand,
  type BerthEvent,
  createProjection,
  decide,
  evolve,
  fold,
  initialState,
  type RegistryError,
  type RegistryState,
} from "@berth/core";
import { expect } from "vitest";

/** What `decide` returns: fp-ts's `Either<Error, ReadonlyArray<Event>>` fits this shape. */
export type DecisionOf<Error, Event> =
  | { readonly _tag: "Left"; readonly left: Error }
  | { readonly _tag: "Right"; readonly right: ReadonlyArray<Event> };

interface DeciderCore<State, Command, Event, Error> {
  readonly decide: (state: State, command: Command) => DecisionOf<Error, Event>;
  readonly initialState: State;
  /**
   * Optional: a fold that owns a copy of `from` and applies events in place. `runCommands` and
   * `historyFrom` use it (when they need no intermediate states) so long histories cost O(events).
   */
  readonly createProjection?: (from: State) => { readonly state: State; apply(event: Event): void };
}

/**
 * A decider: `decide` and `initialState`, and either `evolve` (one event at a time) or `fold` (many
 * events from a state). When both are given, `fold` folds the given events.
 */
export type Decider<State, Command, Event, Error> = DeciderCore<State, Command, Event, Error> &
  (
    | { readonly evolve: (state: State, event: Event) => State; readonly fold?: undefined }
    | { readonly fold: (events: ReadonlyArray<Event>, from: State) => State; readonly evolve?: undefined }
    | {
        readonly evolve: (state: State, event: Event) => State;
        readonly fold: (events: ReadonlyArray<Event>, from: State) => State;
      }
  );

/** The names a decider's errors go by: their `_tag` when they have one (fp-ts/io-ts style). */
export type ErrorNameOf<Error> = Error extends { readonly _tag: infer Tag extends string } ? Tag : string;
/** The error with a given name (all of `Error` when errors have no `_tag`). */
export type ErrorNamed<Error, Name extends string> = [Extract<Error, { readonly _tag: Name }>] extends [never]
  ? Error
  : Extract<Error, { readonly _tag: Name }>;

/** Reads an error's name: `_tag`, else `name` (for `Error` instances), else `type`. */
export const defaultErrorName = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null) return undefined;
  const { _tag, name, type } = error as { _tag?: unknown; name?: unknown; type?: unknown };
  const found = [_tag, name, type].find((value) => typeof value === "string");
  return found as string | undefined;
};

export interface DeciderSpecificationOptions<Error> {
  /** How to read an error's name for `thenFails` (default: `_tag`, `name` or `type`). */
  readonly errorName?: (error: Error) => string | undefined;
  /** Decide each command twice and require equal answers (default true: deciders must be pure). */
  readonly checkDeterminism?: boolean;
}

type IsBranded<T> = [Exclude<keyof T, keyof string | keyof number>] extends [never] ? false : true;

/**
 * `T` with branded strings and numbers (`Digest`, `Timestamp`…) loosened to plain ones, and literal
 * types kept: expected events can then be written as literals, `{ imageTag: "v1" }`.
 */
export type Unbranded<T> = T extends string
  ? IsBranded<T> extends true
    ? string
    : T
  : T extends number
    ? IsBranded<T> extends true
      ? number
      : T
    : T extends boolean | null | undefined
      ? T
      : T extends ReadonlyArray<infer U>
        ? ReadonlyArray<Unbranded<U>>
        : T extends object
          ? { readonly [K in keyof T]: Unbranded<T[K]> }
          : T;

/** The outcome of `when`, to be asserted with one of the `then…` methods. */
export interface WhenClause<State, Event, Error> {
  /**
   * The command is accepted with exactly `expected` (compared with `toEqual`), or passes the
   * `expected` callback, which also receives the state after the events (for queries on it).
   */
  then(
    expected: ReadonlyArray<Unbranded<Event>> | ((events: ReadonlyArray<Event>, after: State) => void),
  ): void;
  /** The command is accepted and records nothing (an idempotent command, for instance). */
  thenNothingHappens(): void;
  /**
   * The command is refused with the error named `name`; when `match` is given, the error must also
   * match it (vitest's `toMatchObject`: asymmetric matchers such as `expect.stringContaining` work).
   */
  thenFails<Name extends ErrorNameOf<Error>>(
    name: Name,
    match?: Partial<Record<keyof ErrorNamed<Error, Name>, unknown>>,
  ): void;
  /** The raw decision, for assertions the methods above do not cover. */
  readonly decision: DecisionOf<Error, Event>;
  /** The state the command was decided against. */
  readonly state: State;
}

export interface GivenClause<State, Command, Event, Error> {
  when(command: Command): WhenClause<State, Event, Error>;
  /** The state the given events fold to. */
  readonly state: State;
}

export interface DeciderSpecification<State, Command, Event, Error> {
  /** Starts from the state `givenEvents` fold to (from the initial state). */
  (givenEvents?: ReadonlyArray<Event>): GivenClause<State, Command, Event, Error>;
  /** Starts from a state built some other way (a property test's random state, for instance). */
  givenState(state: State): GivenClause<State, Command, Event, Error>;
}

const describeDecision = (decision: {
  readonly _tag: string;
  readonly left?: unknown;
  readonly right?: unknown;
}) =>
  JSON.stringify(
    decision._tag === "Left" ? { refused: decision.left } : { accepted: decision.right },
    null,
    2,
  );

/** Folds `events` from `from` with the decider's `fold`, else step by step with its `evolve`. */
export const foldWith = <State, Command, Event, Error>(
  decider: Decider<State, Command, Event, Error>,
  events: ReadonlyArray<Event>,
  from: State = decider.initialState,
): State => {
  if (decider.fold !== undefined) return decider.fold(events, from);
  const evolve = decider.evolve;
  if (evolve === undefined) throw new Error("A decider needs `evolve` or `fold`");
  return events.reduce(evolve, from);
};

const specificationFrom = <State, Command, Event, Error>(
  decider: Decider<State, Command, Event, Error>,
  options: DeciderSpecificationOptions<Error>,
  given: State,
): GivenClause<State, Command, Event, Error> => ({
  state: given,
  when: (command) => {
    const decision = decider.decide(given, command);
    if (options.checkDeterminism !== false) {
      expect(decider.decide(given, command), "decide must give the same answer twice").toEqual(decision);
    }
    const nameOf = options.errorName ?? defaultErrorName;
    const accepted = (): ReadonlyArray<Event> => {
      if (decision._tag === "Left") {
        expect.unreachable(
          `Expected the command to be accepted, but it was refused:\n${describeDecision(decision)}`,
        );
      }
      return decision.right;
    };
    return {
      decision,
      state: given,
      // biome-ignore lint/suspicious/noThenProperty: given/when/then is the vocabulary of decider specifications.
      then: (expected) => {
        const events = accepted();
        const after = foldWith(decider, events, given);
        if (typeof expected === "function") expected(events, after);
        else expect(events).toEqual(expected);
      },
      thenNothingHappens: () => {
        expect(accepted(), "Expected the command to record nothing").toEqual([]);
      },
      thenFails: (name, match) => {
        if (decision._tag === "Right") {
          expect.unreachable(
            `Expected the command to be refused with ${name}, but it was accepted:\n${describeDecision(decision)}`,
          );
        }
        const error = decision.left;
        expect(nameOf(error), `Expected ${name}, got:\n${describeDecision(decision)}`).toBe(name);
        if (match !== undefined) expect(error).toMatchObject(match);
      },
    };
  },
});

export const DeciderSpecification = {
  for: <State, Command, Event, Error>(
    decider: Decider<State, Command, Event, Error>,
    options: DeciderSpecificationOptions<Error> = {},
  ): DeciderSpecification<State, Command, Event, Error> => {
    const specification = (givenEvents: ReadonlyArray<Event> = []) =>
      specificationFrom(decider, options, foldWith(decider, givenEvents));
    return Object.assign(specification, {
      givenState: (state: State) => specificationFrom(decider, options, state),
    });
  },
} as const;

/** One command decided during `runCommands`, with its answer. */
export interface DecidedCommand<Command, Event, Error> {
  readonly command: Command;
  readonly decision: DecisionOf<Error, Event>;
}

export interface CommandRun<State, Command, Event, Error> {
  /** The state after every accepted command. */
  readonly state: State;
  /** The events of the accepted commands, in order. */
  readonly events: ReadonlyArray<Event>;
  readonly decided: ReadonlyArray<DecidedCommand<Command, Event, Error>>;
}

/**
 * Decides `commands` one after another, each against the state the accepted ones before it left;
 * refused commands are recorded and skipped. `onStep` sees each step (for invariant checks).
 */
export const runCommands = <State, Command, Event, Error>(
  decider: Decider<State, Command, Event, Error>,
  commands: Iterable<Command>,
  from: State = decider.initialState,
  onStep?: (step: {
    before: State;
    after: State;
    command: Command;
    decision: DecisionOf<Error, Event>;
  }) => void,
): CommandRun<State, Command, Event, Error> => {
  const events: Event[] = [];
  const decided: Array<DecidedCommand<Command, Event, Error>> = [];
  if (onStep === undefined && decider.createProjection !== undefined) {
    const projection = decider.createProjection(from);
    for (const command of commands) {
      const decision = decider.decide(projection.state, command);
      decided.push({ command, decision });
      if (decision._tag === "Right") {
        for (const event of decision.right) projection.apply(event);
        events.push(...decision.right);
      }
    }
    return { state: projection.state, events, decided };
  }
  let state = from;
  for (const command of commands) {
    const decision = decider.decide(state, command);
    decided.push({ command, decision });
    const before = state;
    if (decision._tag === "Right" && decision.right.length > 0) {
      events.push(...decision.right);
      state = foldWith(decider, decision.right, state);
    }
    onStep?.({ before, after: state, command, decision });
  }
  return { state, events, decided };
};

/**
 * The events of `commands`, all of which must be accepted: a short way to write the "given" of a
 * specification as the commands that led there. Throws, naming the command, when one is refused.
 */
export const historyFrom = <State, Command, Event, Error>(
  decider: Decider<State, Command, Event, Error>,
  commands: ReadonlyArray<Command>,
  from: State = decider.initialState,
): Event[] => {
  const run = runCommands(decider, commands, from);
  const refused = run.decided.find((step) => step.decision._tag === "Left");
  if (refused !== undefined) {
    throw new Error(
      `The history cannot be built: ${JSON.stringify(refused.command)} was refused:\n${describeDecision(refused.decision)}`,
    );
  }
  return [...run.events];
};

/** Berth's own decider. */
export const registryDecider: Decider<RegistryState, BerthCommand, BerthEvent, RegistryError> = {
  decide,
  evolve,
  fold,
  initialState,
  createProjection,
};

/** Given/when/then for Berth's decider: `registrySpecification(given).when(command).then(events)`. */
export const registrySpecification = DeciderSpecification.for(registryDecider);
