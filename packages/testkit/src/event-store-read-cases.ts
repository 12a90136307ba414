import type { EventStore } from "@berth/engine";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { content, markLogHead, readLogAfter, someEvents, testStreams } from "./event-log-helpers.js";

export const describeReadCases = (store: () => EventStore): void => {
  describe("readStream and readAll", () => {
    test.prop(
      [
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 14 }),
        fc.option(fc.integer({ min: 0, max: 14 }), { nil: undefined }),
      ],
      { numRuns: 25 },
    )("readStream honours afterVersion and maxCount", async (length, afterVersion, maxCount) => {
      const stream = testStreams().name("slice");
      if (length > 0) await store().appendToStream(stream, someEvents(length));
      const whole = await store().readStream(stream);
      const part = await store().readStream(stream, {
        afterVersion,
        ...(maxCount === undefined ? {} : { maxCount }),
      });

      const end = maxCount === undefined ? undefined : afterVersion + maxCount;
      expect(part).toEqual(whole.slice(afterVersion, end));
    });

    test.prop(
      [
        fc.array(
          fc.record({ stream: fc.integer({ min: 0, max: 3 }), count: fc.integer({ min: 1, max: 3 }) }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
      ],
      { numRuns: 15 },
    )(
      "readAll returns every stream's events in commit order, positions strictly increasing",
      async (appends) => {
        const streams = testStreams();
        const head = await markLogHead(store());
        const expected = [];
        let lastPosition = head;
        for (const [index, { stream, count }] of appends.entries()) {
          const name = streams.name(`stream-${stream}`);
          const events = someEvents(count, "Appended", `append-${index}`);
          const result = await store().appendToStream(name, events);
          expect(result.lastGlobalPosition).toBeGreaterThan(lastPosition);
          lastPosition = result.lastGlobalPosition;
          expected.push(...events.map((event) => ({ streamName: name, ...event })));
        }
        const log = await readLogAfter(store(), head, streams.owns);

        expect(log.map(content)).toEqual(expected);
        for (const [index, event] of log.entries()) {
          if (index > 0) expect(event.globalPosition).toBeGreaterThan(log[index - 1]?.globalPosition ?? 0n);
        }
        expect(log.at(-1)?.globalPosition).toBe(lastPosition);
      },
    );

    test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 11 })], { numRuns: 10 })(
      "readAll honours after and maxCount: pages join up to the whole log",
      async (pageSize, skip) => {
        const streams = testStreams();
        const head = await markLogHead(store());
        await store().appendToStream(streams.name("a"), someEvents(6));
        await store().appendToStream(streams.name("b"), someEvents(6));
        const whole = await readLogAfter(store(), head, streams.owns);

        const pages = [];
        let position = head;
        for (;;) {
          const page = await store().readAll({ after: position, maxCount: pageSize });
          expect(page.length).toBeLessThanOrEqual(pageSize);
          const last = page.at(-1);
          if (last === undefined) break;
          pages.push(...page.filter(streams.owns));
          position = last.globalPosition;
        }
        expect(pages).toEqual(whole);

        const from = whole[skip]?.globalPosition ?? head;
        const rest = await readLogAfter(store(), from, streams.owns);
        expect(rest).toEqual(whole.slice(skip + 1));
      },
    );
  });
};
