import type { EventStore } from "@berth/engine";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { testStreams } from "./event-log-helpers.js";

/**
 * Any Unicode scalar value but U+0000: event data must be valid Unicode text without NUL, which is
 * what Postgres' jsonb (and most JSON stores) can keep.
 */
const storableCodePoint = fc
  .integer({ min: 1, max: 0x10ffff })
  .filter((codePoint) => codePoint < 0xd800 || codePoint > 0xdfff)
  .map((codePoint) => String.fromCodePoint(codePoint));

const storableJson = fc.jsonValue({ maxDepth: 4, stringUnit: storableCodePoint });

/** What a JSON store gives back: the value after one trip through JSON text. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

export const describeJsonCases = (store: () => EventStore): void => {
  describe("event data", () => {
    test.prop([storableJson], { numRuns: 40 })("round-trips any JSON value", async (data) => {
      const stream = testStreams().name("json");
      await store().appendToStream(stream, [{ type: "Json", data }]);
      const [event] = await store().readStream(stream);
      expect(event?.data).toEqual(asJson(data));
    });

    it("round-trips nested objects, unicode, escapes, extreme numbers and large strings", async () => {
      let deep: unknown = { bottom: true };
      for (let level = 0; level < 40; level += 1) deep = { level, next: [deep] };
      const data = {
        unicode: "🐳 whale · 漢字 · e\u0301 · العربية · \u{10FFFF}",
        escapes: 'quote " backslash \\ newline \n tab \t bell \u0007',
        numbers: [0, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 0.1, 1e21, 1.7976931348623157e308, 5e-324],
        flags: [true, false, null],
        empty: { object: {}, array: [], string: "" },
        large: "x".repeat(1 << 20),
        deep,
      };
      const stream = testStreams().name("json-example");
      await store().appendToStream(stream, [{ type: "Json", data }]);
      const [event] = await store().readStream(stream);
      expect(event?.data).toEqual(asJson(data));
    });
  });
};
