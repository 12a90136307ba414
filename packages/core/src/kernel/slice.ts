/**
 * A slice of the registry (one ECR capability), as a plain record in the manner of Emmett's
 * deciders: how it decides each of its commands and how each of its events changes the state,
 * both keyed by `type`. The root merges the slices' records into one dispatch table each.
 */
import type { DecisionOf } from "./decision.js";
import type { Message } from "./message.js";
import type { RegistryDraft, RegistryState } from "./registry-state.js";

/** One function per command type, each taking exactly the command of its key. */
export type DecideTable<Command extends Message, Event> = {
  readonly [Type in Command["type"]]: (
    state: RegistryState,
    command: Extract<Command, { readonly type: Type }>,
  ) => DecisionOf<Event>;
};

/** One step per event type, each writing exactly the event of its key into a draft its caller owns. */
export type EvolveTable<Event extends Message> = {
  readonly [Type in Event["type"]]: (
    draft: RegistryDraft,
    event: Extract<Event, { readonly type: Type }>,
  ) => void;
};

export interface Slice<Command extends Message, Event extends Message> {
  readonly decide: DecideTable<Command, Event>;
  readonly evolve: EvolveTable<Event>;
}
