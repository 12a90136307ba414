/**
 * What a decider returns: the RegistryError that refuses a command, or the events to append. A
 * slice decides with its own events only, so `Decision` is generic in them; the root's `Decision`
 * is the one over every event.
 */
import * as E from "fp-ts/lib/Either.js";
import type { RegistryError } from "./registry-errors.js";

export type DecisionOf<Event> = E.Either<RegistryError, ReadonlyArray<Event>>;

/**
 * `accept` and `refuse` for the events of one slice: fixing the event type up front keeps each
 * event's literal `type` checked against the slice's union.
 */
export const decisionsOf = <Event>() => ({
  accept: (...events: ReadonlyArray<Event>): DecisionOf<Event> => E.right(events),
  refuse: (error: RegistryError): DecisionOf<Event> => E.left(error),
});
