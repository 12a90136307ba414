/** `--upload-ttl` and `--gc-grace` durations: what parses, what is refused, and the round trip. */
import { formatDuration, parseDuration } from "@berth/server";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";

describe("durations", () => {
  it("reads the units ms, s, m, h and d, alone or combined", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(parseDuration(" 3s ")).toBe(3000);
  });

  it("refuses what is not a duration, bare numbers included", () => {
    for (const text of ["", "30", "s", "1x", "-1s", "1s2", "1 s", "1h 30m", "1e3s", "ss"]) {
      expect(parseDuration(text), text).toBeUndefined();
    }
  });

  test.prop([fc.integer({ min: 0, max: 10 ** 12 })])(
    "formatDuration is read back as the same duration",
    (ms) => {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    },
  );
});
