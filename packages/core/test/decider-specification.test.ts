import {
  DeciderSpecification,
  EXAMPLE_TIME,
  historyFrom,
  registryDecider,
  runCommands,
  registrySpecification as spec,
} from "@berth/testkit";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, registryId } from "./example-registry.js";

const created = historyFrom(registryDecider, [c.createRepository(app)]);

describe("DeciderSpecification", () => {
  it("fails `then` when the command is refused, showing the error", () =>
    expect(() => spec(created).when(c.createRepository(app)).then([])).toThrow(
      /RepositoryAlreadyExistsException/,
    ));

  it("fails `then` when the events differ", () =>
    expect(() =>
      spec()
        .when(c.createRepository(app))
        .then([
          {
            type: "RepositoryCreated",
            data: {
              registryId,
              repositoryName: "team/other",
              createdAt: EXAMPLE_TIME,
              imageTagMutability: "MUTABLE",
              imageTagMutabilityExclusionFilters: [],
              scanOnPush: false,
              encryptionType: "AES256",
              tags: [],
            },
          },
        ]),
    ).toThrow());

  it("fails `thenFails` when the command is accepted", () =>
    expect(() => spec().when(c.createRepository(app)).thenFails("RepositoryAlreadyExistsException")).toThrow(
      /accepted/,
    ));

  it("fails `thenFails` on another error", () =>
    expect(() => spec().when(c.deleteRepository(app)).thenFails("RepositoryNotEmptyException")).toThrow(
      /RepositoryNotFoundException/,
    ));

  it("fails `thenFails` when the error does not match the partial error", () =>
    expect(() =>
      spec()
        .when(c.deleteRepository(app))
        .thenFails("RepositoryNotFoundException", { message: "something else" }),
    ).toThrow());

  it("fails `thenNothingHappens` when events are recorded, or the command refused", () => {
    expect(() => spec().when(c.createRepository(app)).thenNothingHappens()).toThrow();
    expect(() => spec().when(c.deleteRepository(app)).thenNothingHappens()).toThrow();
  });

  it("fails when decide answers differently twice", () => {
    let calls = 0;
    const flaky = DeciderSpecification.for({
      initialState: 0,
      decide: () => E.right([calls++]),
      evolve: (state: number, event: number) => state + event,
    });
    expect(() => flaky().when("anything").then([0])).toThrow(/same answer twice/);
  });

  it("works for any decider: with evolve only, with plain errors", () => {
    type Counter = { count: number };
    const counter = DeciderSpecification.for({
      initialState: { count: 0 } as Counter,
      decide: (state: Counter, command: "increment" | "decrement") =>
        command === "decrement" && state.count === 0
          ? E.left({ _tag: "CounterAtZero" as const, message: "cannot go below 0" })
          : E.right([command === "increment" ? 1 : -1]),
      evolve: (state: Counter, event: number) => ({ count: state.count + event }),
    });
    counter([1, 1]).when("decrement").then([-1]);
    counter([1, -1]).when("decrement").thenFails("CounterAtZero", { message: "cannot go below 0" });
    counter
      .givenState({ count: 5 })
      .when("increment")
      .then((_, after) => expect(after).toEqual({ count: 6 }));
  });

  it("runCommands records refused commands and keeps going", () => {
    const run = runCommands(registryDecider, [
      c.createRepository(app),
      c.createRepository(app),
      c.deleteRepository(app),
    ]);
    expect(run.decided.map((step) => step.decision._tag)).toEqual(["Right", "Left", "Right"]);
    expect(run.events.map((event) => event.type)).toEqual(["RepositoryCreated", "RepositoryDeleted"]);
    expect(run.state.repositories.size).toBe(0);
  });

  it("historyFrom throws, naming the command, when one is refused", () =>
    expect(() => historyFrom(registryDecider, [c.deleteRepository(app)])).toThrow(/DeleteRepository/));
});
