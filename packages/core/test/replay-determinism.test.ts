/**
 * DESIGN §3.5, replay determinism: folding the same events gives the same state, whichever way it is
 * folded (`fold`, a projection, step-by-step `evolve`, in chunks, after a JSON round trip through an
 * event store); `evolve`, `fold` and `decide` never modify the state they are given.
 */

import {
  type BerthEvent,
  createProjection,
  decide,
  evolve,
  fold,
  initialState,
  type RegistryState,
} from "@berth/core";
import { registryDecider, registryScenarioArb, registryStepArb, runCommands } from "@berth/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** The events of a random history, and a cut somewhere in them. */
const eventsArb = registryScenarioArb({ maxSteps: 40, maxRepositories: 2, maxIndexes: 2 }).chain(
  ({ pools, commands }) => {
    const { events } = runCommands(registryDecider, commands);
    return fc.record({
      pools: fc.constant(pools),
      events: fc.constant(events),
      cut: fc.nat({ max: events.length }),
    });
  },
);

describe("Replay", () => {
  it("folding the same events twice gives equal states", () => {
    fc.assert(
      fc.property(eventsArb, ({ events }) => {
        expect(fold(events)).toEqual(fold(events));
      }),
      { numRuns: 25 },
    );
  });

  it("a projection, fold and step-by-step evolve reach equal states", () => {
    fc.assert(
      fc.property(eventsArb, ({ events }) => {
        const projection = createProjection();
        for (const event of events) projection.apply(event);
        const stepByStep = events.reduce<RegistryState>(evolve, initialState);
        expect(projection.state).toEqual(stepByStep);
        expect(fold(events)).toEqual(stepByStep);
      }),
      { numRuns: 25 },
    );
  });

  it("folding in two chunks equals folding at once", () => {
    fc.assert(
      fc.property(eventsArb, ({ events, cut }) => {
        const head = fold(events.slice(0, cut));
        expect(fold(events.slice(cut), head)).toEqual(fold(events));
        const projection = createProjection(head);
        for (const event of events.slice(cut)) projection.apply(event);
        expect(projection.state).toEqual(fold(events));
      }),
      { numRuns: 25 },
    );
  });

  it("events read back from JSON fold to the same state", () => {
    fc.assert(
      fc.property(eventsArb, ({ events }) => {
        const stored = JSON.parse(JSON.stringify(events)) as BerthEvent[];
        expect(stored).toEqual(events);
        expect(fold(stored)).toEqual(fold(events));
      }),
      { numRuns: 25 },
    );
  });
});

describe("Purity", () => {
  it("evolve leaves every earlier state as it was, all along a history", () => {
    fc.assert(
      fc.property(eventsArb, ({ events }) => {
        const states: RegistryState[] = [initialState];
        const snapshots: RegistryState[] = [structuredClone(initialState)];
        for (const event of events) {
          const next = evolve(states.at(-1)!, event);
          states.push(next);
          snapshots.push(structuredClone(next));
        }
        // Later evolves must not have written into structures an earlier state shares.
        for (const [i, state] of states.entries())
          expect(state, `state after ${i} events`).toEqual(snapshots[i]);
      }),
      { numRuns: 25 },
    );
  });

  it("fold and createProjection leave the state they start from as it was", () => {
    fc.assert(
      fc.property(eventsArb, ({ events, cut }) => {
        const head = fold(events.slice(0, cut));
        const snapshot = structuredClone(head);
        fold(events.slice(cut), head);
        const projection = createProjection(head);
        for (const event of events.slice(cut)) projection.apply(event);
        expect(head).toEqual(snapshot);
      }),
      { numRuns: 25 },
    );
  });

  it("decide leaves the state as it was, and answers the same twice", () => {
    fc.assert(
      fc.property(
        eventsArb.chain(({ pools, events }) =>
          fc
            .array(registryStepArb(pools), { minLength: 1, maxLength: 10 })
            .map((steps) => ({ events, probes: steps.flat() })),
        ),
        ({ events, probes }) => {
          const state = fold(events);
          const snapshot = structuredClone(state);
          for (const command of probes) expect(decide(state, command)).toEqual(decide(state, command));
          expect(state).toEqual(snapshot);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("the initial state stays empty", () => {
    expect(initialState.repositories.size + initialState.registries.size + initialState.uploads.size).toBe(0);
  });
});
