import { type EventStore, type ExpectedStreamVersion, ExpectedVersionConflictError } from "@berth/engine";
import { describe, expect, it } from "vitest";
import { markLogHead, readLogAfter, someEvents, testStreams } from "./event-log-helpers.js";

interface ExpectationCase {
  readonly expected: ExpectedStreamVersion | undefined;
  /** Events in the stream before the append. */
  readonly existing: number;
  readonly accepted: boolean;
}

const expectationCases: ReadonlyArray<ExpectationCase> = [
  { expected: "NO_STREAM", existing: 0, accepted: true },
  { expected: "NO_STREAM", existing: 2, accepted: false },
  { expected: "STREAM_EXISTS", existing: 0, accepted: false },
  { expected: "STREAM_EXISTS", existing: 2, accepted: true },
  { expected: "ANY", existing: 0, accepted: true },
  { expected: "ANY", existing: 2, accepted: true },
  { expected: undefined, existing: 0, accepted: true },
  { expected: undefined, existing: 2, accepted: true },
  { expected: 0, existing: 0, accepted: true },
  { expected: 1, existing: 0, accepted: false },
  { expected: 2, existing: 2, accepted: true },
  { expected: 1, existing: 2, accepted: false },
  { expected: 3, existing: 2, accepted: false },
];

export const describeAppendCases = (store: () => EventStore): void => {
  describe("appendToStream", () => {
    it("appends events that read back in order with versions, positions and a recording time", async () => {
      const streams = testStreams();
      const stream = streams.name("round-trip");
      const before = Date.now();
      const result = await store().appendToStream(stream, someEvents(3), "NO_STREAM");
      const events = await store().readStream(stream);

      expect(events.map((event) => [event.streamName, event.streamVersion, event.type, event.data])).toEqual([
        [stream, 1, "Something", { tag: "event", index: 0 }],
        [stream, 2, "Something", { tag: "event", index: 1 }],
        [stream, 3, "Something", { tag: "event", index: 2 }],
      ]);
      expect(events.map((event) => typeof event.globalPosition)).toEqual(["bigint", "bigint", "bigint"]);
      expect(result).toEqual({ nextExpectedStreamVersion: 3, lastGlobalPosition: events[2]?.globalPosition });
      for (const event of events) {
        // The store's clock, not ours: allow for a database clock a little apart from the process'.
        expect(event.recordedAt).toBeGreaterThan(before - 60_000);
        expect(event.recordedAt).toBeLessThan(Date.now() + 60_000);
      }
      expect(await store().streamVersion(stream)).toBe(3);
    });

    it("reads an unknown stream as empty, at version 0", async () => {
      const stream = testStreams().name("unknown");
      expect(await store().readStream(stream)).toEqual([]);
      expect(await store().streamVersion(stream)).toBe(0);
    });

    it("continues versions across appends and never reuses a position", async () => {
      const stream = testStreams().name("growing");
      const first = await store().appendToStream(stream, someEvents(2));
      const second = await store().appendToStream(stream, someEvents(1), 2);
      const events = await store().readStream(stream);

      expect(second.nextExpectedStreamVersion).toBe(3);
      expect(events.map((event) => event.streamVersion)).toEqual([1, 2, 3]);
      expect(second.lastGlobalPosition).toBeGreaterThan(first.lastGlobalPosition);
      expect(new Set(events.map((event) => event.globalPosition)).size).toBe(3);
    });

    describe.each(expectationCases)("expecting $expected on a stream with $existing events", (testCase) => {
      it(testCase.accepted ? "appends" : "refuses with a conflict and writes nothing", async () => {
        const streams = testStreams();
        const stream = streams.name("expectation");
        if (testCase.existing > 0)
          await store().appendToStream(stream, someEvents(testCase.existing, "Earlier"));
        const head = await markLogHead(store());
        const appending = store().appendToStream(stream, someEvents(2, "Later"), testCase.expected);

        if (testCase.accepted) {
          expect(await appending).toMatchObject({ nextExpectedStreamVersion: testCase.existing + 2 });
          expect(await store().streamVersion(stream)).toBe(testCase.existing + 2);
          return;
        }
        const error = await appending.then(
          () => undefined,
          (reason: unknown) => reason,
        );
        expect(error).toBeInstanceOf(ExpectedVersionConflictError);
        expect(error).toMatchObject({ streamName: stream, expected: testCase.expected });
        expect([testCase.existing, undefined]).toContain((error as ExpectedVersionConflictError).actual);
        expect(await store().streamVersion(stream)).toBe(testCase.existing);
        expect((await store().readStream(stream)).map((event) => event.type)).not.toContain("Later");
        expect(await readLogAfter(store(), head, streams.owns)).toEqual([]);
      });
    });

    it("treats an empty append as a check of the expectation that writes nothing", async () => {
      const streams = testStreams();
      const stream = streams.name("empty-append");
      expect(await store().appendToStream(stream, [], "NO_STREAM")).toEqual({
        nextExpectedStreamVersion: 0,
        lastGlobalPosition: 0n,
      });
      const written = await store().appendToStream(stream, someEvents(2));
      const head = await markLogHead(store());

      expect(await store().appendToStream(stream, [], 2)).toEqual(written);
      await expect(store().appendToStream(stream, [], "NO_STREAM")).rejects.toBeInstanceOf(
        ExpectedVersionConflictError,
      );
      await expect(store().appendToStream(stream, [], 1)).rejects.toBeInstanceOf(
        ExpectedVersionConflictError,
      );
      expect(await readLogAfter(store(), head, streams.owns)).toEqual([]);
    });
  });
};
