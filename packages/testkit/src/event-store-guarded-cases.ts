import { type EventStore, ExpectedVersionConflictError, type GuardedAppendResult } from "@berth/engine";
import { describe, expect, it } from "vitest";
import { markLogHead, someEvents, testStreams } from "./event-log-helpers.js";

/** The store's appendIfLogAt; a store without it skips these cases (the method is optional). */
const guarded = (store: EventStore) => {
  const method = store.appendIfLogAt;
  if (method === undefined) throw new Error("appendIfLogAt is not implemented");
  return method;
};

const appendedOf = (result: GuardedAppendResult) => {
  if (!("appended" in result)) throw new Error(`expected an append, missed ${result.missed.length} events`);
  return result.appended;
};

export const describeGuardedAppendCases = (store: () => EventStore): void => {
  describe("appendIfLogAt (optional)", () => {
    it("appends as appendToStream does while the log ends at the position, expectation included", async (context) => {
      if (store().appendIfLogAt === undefined) return context.skip();
      const stream = testStreams().name("guarded");
      const head = await markLogHead(store());
      const result = appendedOf(await guarded(store())(stream, someEvents(2), "NO_STREAM", head));
      const events = await store().readStream(stream);

      expect(events.map((event) => event.data)).toEqual(someEvents(2).map((event) => event.data));
      expect(result).toEqual({ nextExpectedStreamVersion: 2, lastGlobalPosition: events[1]?.globalPosition });
      await expect(
        guarded(store())(stream, someEvents(1), 1, result.lastGlobalPosition),
      ).rejects.toBeInstanceOf(ExpectedVersionConflictError);
      expect(await store().streamVersion(stream)).toBe(2);
    });

    it("writes nothing once the log has moved on, and hands back what was committed after the position", async (context) => {
      if (store().appendIfLogAt === undefined) return context.skip();
      const streams = testStreams();
      const head = await markLogHead(store());
      const later = await store().appendToStream(streams.name("later"), someEvents(3, "Later"));
      const result = await guarded(store())(streams.name("refused"), someEvents(1), "NO_STREAM", head);

      if ("appended" in result) throw new Error("appended although the log moved on");
      expect(result.missed[0]?.globalPosition).toBeGreaterThan(head);
      expect(result.missed.filter(streams.owns).map((event) => event.type)).toEqual([
        "Later",
        "Later",
        "Later",
      ]);
      expect(result.logPosition).toBeGreaterThanOrEqual(later.lastGlobalPosition);
      const positions = result.missed.map((event) => event.globalPosition);
      expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(await store().streamVersion(streams.name("refused"))).toBe(0);
    });

    it("of concurrent guarded appends at one position exactly one writes; the others get its events back", async (context) => {
      if (store().appendIfLogAt === undefined) return context.skip();
      const streams = testStreams();
      const head = await markLogHead(store());
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, writer) =>
          guarded(store())(streams.name(`writer-${writer}`), someEvents(2, "Raced"), "NO_STREAM", head),
        ),
      );

      const winners = outcomes.flatMap((outcome, writer) => ("appended" in outcome ? [writer] : []));
      expect(winners).toHaveLength(1);
      const winner = streams.name(`writer-${winners[0]}`);
      for (const outcome of outcomes) {
        if ("appended" in outcome) continue;
        expect(outcome.missed.filter(streams.owns).map((event) => event.streamName)).toEqual([
          winner,
          winner,
        ]);
      }
    });
  });
};
