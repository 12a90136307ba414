/**
 * The shape of every decision, for random commands on random states: a refusal is a RegistryError
 * and never comes with events; an acceptance's events are known, JSON-serializable, and all go to
 * one stream, the one the command addresses (so an engine appends them atomically).
 */

import {
  type BerthCommand,
  type BerthEvent,
  isBerthEvent,
  type RegistryErrorName,
  streamOf,
  streamOfCommand,
} from "@berth/core";
import { registryDecider, registryScenarioArb, registryStepArb, runCommands } from "@berth/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const ERROR_NAMES: ReadonlySet<RegistryErrorName> = new Set<RegistryErrorName>([
  "RepositoryNotFoundException",
  "RepositoryAlreadyExistsException",
  "RepositoryNotEmptyException",
  "RepositoryPolicyNotFoundException",
  "RegistryPolicyNotFoundException",
  "InvalidParameterException",
  "InvalidTagParameterException",
  "TooManyTagsException",
  "ImageAlreadyExistsException",
  "ImageTagAlreadyExistsException",
  "ImageDigestDoesNotMatchException",
  "ImageNotFoundException",
  "LayersNotFoundException",
  "ReferencedImagesNotFoundException",
  "LayerInaccessibleException",
  "LayerAlreadyExistsException",
  "LayerPartTooSmallException",
  "EmptyUploadException",
  "InvalidLayerException",
  "UploadNotFoundException",
  "LimitExceededException",
  "SigningConfigurationNotFoundException",
  "ExclusionAlreadyExistsException",
  "ExclusionNotFoundException",
  "ValidationException",
  "InvalidLayerPartException",
]);

/** Commands that may be accepted with no events: asking for what is already so, or deleting nothing. */
const MAY_RECORD_NOTHING: ReadonlySet<BerthCommand["type"]> = new Set([
  "PutRegistrySettings",
  "MountLayer",
  "DeleteImages",
]);

/** Plain JSON: objects with a plain prototype, arrays, strings, finite numbers, booleans, null; no undefined. */
const isPlainJson = (value: unknown): boolean => {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value as Record<string, unknown>).every(isPlainJson);
  }
  return false;
};

/** A random state (a history) and random commands to decide against each state along it. */
const caseArb = registryScenarioArb({ maxSteps: 30, maxRepositories: 2 }).chain(({ pools, commands }) =>
  fc
    .array(registryStepArb(pools), { minLength: 1, maxLength: 8 })
    .map((probes) => ({ commands, probes: probes.flat() })),
);

describe("Every decision", () => {
  it("is a RegistryError without events, or events of one stream, the command's", () => {
    fc.assert(
      fc.property(caseArb, ({ commands, probes }) => {
        const problems: string[] = [];
        const check = (state: Parameters<typeof registryDecider.decide>[0], command: BerthCommand) => {
          const decision = registryDecider.decide(state, command);
          if (decision._tag === "Left") {
            const error = decision.left as unknown as Record<string, unknown>;
            if (!ERROR_NAMES.has(decision.left._tag)) problems.push(`unknown error ${decision.left._tag}`);
            if (typeof error.message !== "string" || error.message === "")
              problems.push(`${decision.left._tag} without message`);
            if ("right" in decision || "events" in error)
              problems.push(`${decision.left._tag} comes with events`);
            return;
          }
          const events: ReadonlyArray<BerthEvent> = decision.right;
          if (events.length === 0 && !MAY_RECORD_NOTHING.has(command.type))
            problems.push(`${command.type} recorded nothing`);
          for (const event of events) {
            if (!isBerthEvent(event)) problems.push(`unknown event ${JSON.stringify(event)}`);
            if (streamOf(event) !== streamOfCommand(command)) {
              problems.push(
                `${command.type} wrote ${event.type} to ${streamOf(event)}, not ${streamOfCommand(command)}`,
              );
            }
          }
          if (!isPlainJson(events)) problems.push(`${command.type} recorded events that are not plain JSON`);
        };
        runCommands(registryDecider, commands, undefined, ({ before, command }) => {
          check(before, command);
          // A few unrelated commands against the same state.
          for (const probe of probes.slice(0, 2)) check(before, probe);
        });
        expect(problems).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});
