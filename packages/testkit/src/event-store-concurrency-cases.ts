import { type EventStore, ExpectedVersionConflictError } from "@berth/engine";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { someEvents, testStreams } from "./event-log-helpers.js";

export const describeConcurrencyCases = (store: () => EventStore): void => {
  describe("concurrent appends", () => {
    test.prop(
      [
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 8, maxLength: 8 }),
      ],
      { numRuns: 15 },
    )(
      "of N appends at the same expected version exactly one wins, the others conflict and write nothing",
      async (writers, existing, expectNoStream, batchSizes) => {
        const stream = testStreams().name("contended");
        if (existing > 0) await store().appendToStream(stream, someEvents(existing, "Earlier"));
        const expected = existing === 0 && expectNoStream ? "NO_STREAM" : existing;

        const outcomes = await Promise.allSettled(
          Array.from({ length: writers }, (_, writer) =>
            store().appendToStream(
              stream,
              someEvents(batchSizes[writer] ?? 1, "Contended", `writer-${writer}`),
              expected,
            ),
          ),
        );

        const winners = outcomes.flatMap((outcome, writer) =>
          outcome.status === "fulfilled" ? [writer] : [],
        );
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === "rejected")
            expect(outcome.reason).toBeInstanceOf(ExpectedVersionConflictError);
        }
        const winner = winners[0] ?? -1;
        const written = (await store().readStream(stream)).slice(existing);
        expect(written.map((event) => event.data)).toEqual(
          someEvents(batchSizes[winner] ?? 1, "Contended", `writer-${winner}`).map((event) => event.data),
        );
        expect(await store().streamVersion(stream)).toBe(existing + written.length);
      },
    );

    it("accepts every concurrent append that expects ANY, each one contiguous and none lost", async () => {
      const stream = testStreams().name("shared");
      const writers = 6;
      const results = await Promise.all(
        Array.from({ length: writers }, (_, writer) =>
          store().appendToStream(stream, someEvents(3, "Shared", `writer-${writer}`), "ANY"),
        ),
      );
      const events = await store().readStream(stream);

      expect(events.map((event) => event.streamVersion)).toEqual(
        Array.from({ length: writers * 3 }, (_, index) => index + 1),
      );
      for (const [writer, result] of results.entries()) {
        const version = result.nextExpectedStreamVersion;
        expect(events.slice(version - 3, version).map((event) => event.data)).toEqual(
          someEvents(3, "Shared", `writer-${writer}`).map((event) => event.data),
        );
        expect(events[version - 1]?.globalPosition).toBe(result.lastGlobalPosition);
      }
    });
  });
};
