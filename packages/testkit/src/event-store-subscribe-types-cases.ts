import type { EventStore } from "@berth/engine";
import { describe, expect, it } from "vitest";
import { markLogHead, readLogAfter, someEvents, testStreams } from "./event-log-helpers.js";
import { collectUntil, pause } from "./subscription-helpers.js";

/** `subscribe({ types })`: a subscription to some kinds of event only. */
export const describeTypedSubscribeCases = (store: () => EventStore): void => {
  describe("subscribe to some types", () => {
    it("with types, delivers only events of those types: in order, each once, among many others", async () => {
      const streams = testStreams();
      const fence = streams.name("fence");
      const followed = ["Wanted", "Fence"];
      const head = await markLogHead(store());
      await store().appendToStream(streams.name("a"), [
        ...someEvents(2, "Other"),
        ...someEvents(1, "Wanted"),
      ]);
      const collected = collectUntil(store(), {
        after: head,
        owns: streams.owns,
        isLast: (event) => event.streamName === fence,
        types: followed,
      });
      await pause(50);
      for (let n = 0; n < 12; n++) {
        await store().appendToStream(streams.name(`other-${n % 3}`), someEvents(1 + (n % 2), "Other"), "ANY");
        if (n % 5 === 4) await store().appendToStream(streams.name("wanted"), someEvents(1, "Wanted"), "ANY");
      }
      await store().appendToStream(streams.name("mixed"), [
        ...someEvents(1, "Other"),
        ...someEvents(2, "Wanted"),
      ]);
      await store().appendToStream(fence, someEvents(1, "Fence"));
      const delivered = await collected;

      const log = await readLogAfter(store(), head, streams.owns);
      const wanted = log.filter((event) => followed.includes(event.type));
      expect(wanted).toHaveLength(6);
      expect(delivered).toEqual(wanted);
    });
  });
};
