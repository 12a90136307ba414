/** Shared shapes for deciders: a decision is either a RegistryError or the events to append. */
import * as E from "fp-ts/lib/Either.js";
import type { RegistryError } from "../errors.js";
import type { BerthEvent } from "../events.js";

export type Decision = E.Either<RegistryError, ReadonlyArray<BerthEvent>>;

export const accept = (...events: ReadonlyArray<BerthEvent>): Decision => E.right(events);
export const refuse = (error: RegistryError): Decision => E.left(error);

/** ECR policies must be JSON objects; anything else is refused before it is stored. */
export const isPolicyDocument = (text: string): boolean => {
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === "object" && json !== null && !Array.isArray(json);
  } catch {
    return false;
  }
};
