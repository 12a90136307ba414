import type { EventStore, RecordedEvent } from "@berth/engine";
import { describe, expect, it } from "vitest";
import { markLogHead, readLogAfter, someEvents, testStreams } from "./event-log-helpers.js";
import { collectUntil, pause, within } from "./subscription-helpers.js";

const positions = (events: ReadonlyArray<RecordedEvent>) => events.map((event) => event.globalPosition);

export const describeSubscribeCases = (store: () => EventStore): void => {
  describe("subscribe", () => {
    it("delivers what was appended before and after subscribing, in order, each event once", async () => {
      const streams = testStreams();
      const fence = streams.name("fence");
      const head = await markLogHead(store());
      await store().appendToStream(streams.name("a"), someEvents(3));
      await store().appendToStream(streams.name("b"), someEvents(2));

      const collected = collectUntil(store(), {
        after: head,
        owns: streams.owns,
        isLast: (event) => event.streamName === fence,
      });
      await pause(50);
      await store().appendToStream(streams.name("a"), someEvents(2), 3);
      await store().appendToStream(streams.name("c"), someEvents(2));
      await store().appendToStream(fence, someEvents(1, "Fence"));
      const delivered = await collected;

      const log = await readLogAfter(store(), head, streams.owns);
      expect(log).toHaveLength(10);
      expect(positions(delivered)).toEqual(positions(log));
      expect(delivered).toEqual(log);
    });

    it("keeps up with several concurrent writers: nothing skipped, nothing repeated", async () => {
      const streams = testStreams();
      const fence = streams.name("fence");
      const head = await markLogHead(store());
      const collected = collectUntil(store(), {
        after: head,
        owns: streams.owns,
        isLast: (event) => event.streamName === fence,
        timeoutMs: 20_000,
      });

      let appended = 0;
      await Promise.all(
        Array.from({ length: 5 }, async (_, writer) => {
          for (let batch = 0; batch < 8; batch += 1) {
            const own = someEvents(1 + (batch % 3));
            await store().appendToStream(streams.name(`writer-${writer}`), own);
            await store().appendToStream(
              streams.name("shared"),
              someEvents(1, "Shared", `writer-${writer}`),
              "ANY",
            );
            appended += own.length + 1;
          }
        }),
      );
      await store().appendToStream(fence, someEvents(1, "Fence"));
      const delivered = await collected;

      const log = await readLogAfter(store(), head, streams.owns);
      expect(log).toHaveLength(appended + 1);
      expect(new Set(positions(delivered)).size).toBe(delivered.length);
      expect(positions(delivered)).toEqual(positions(log));
    });

    it("finishes when its signal aborts, even while waiting for events", async () => {
      const controller = new AbortController();
      const following = (async () => {
        for await (const _event of store().subscribe({
          after: await markLogHead(store()),
          signal: controller.signal,
        })) {
          // nothing else is appended: the subscription waits
        }
      })();
      await pause(50);
      controller.abort();
      await within(following, 2_000, "finishing after abort");
    });

    it("finishes at once when its signal is already aborted", async () => {
      await markLogHead(store());
      const following = (async () => {
        for await (const _event of store().subscribe({ signal: AbortSignal.abort() })) {
          // may deliver nothing: it only has to finish
        }
      })();
      await within(following, 2_000, "finishing with an aborted signal");
    });

    it("finishes when the store closes", async () => {
      const following = (async () => {
        for await (const _event of store().subscribe({ after: await markLogHead(store()) })) {
          // waits until close()
        }
      })();
      await pause(50);
      await store().close();
      await within(following, 2_000, "finishing after close()");
    });
  });
};
