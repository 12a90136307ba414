/**
 * `compactHeap`, which `berth serve` runs once after its first catch-up: on a heap that a fold-like
 * workload left fragmented (many small objects, nine in ten then dropped), one call gives back most
 * of the pages, without `--expose-gc` and without leaving `gc` exposed; under its threshold it does
 * nothing.
 */
import { compactHeap } from "@berth/server";
import { describe, expect, it } from "vitest";

/** Fills old space with small records, then keeps one in ten: their pages stay, mostly empty. */
const fragmentedSurvivors = () => {
  const all: Array<{ id: number; name: string }> = [];
  for (let i = 0; i < 1_500_000; i++) all.push({ id: i, name: `record-${i}` });
  return all.filter((_, i) => i % 10 === 0);
};

describe("compactHeap", () => {
  it("gives back the pages a workload's garbage left, and keeps what is live", () => {
    const survivors = fragmentedSurvivors();
    const compaction = compactHeap(0);
    expect(compaction).toBeDefined();
    // Live: 150,000 records of about 100 bytes; the pages held all 1,500,000 before. (Here: 226 →
    // 77 MB; an ordinary full GC gave back 40 MB of the 226.)
    expect(compaction!.heapTotalAfter).toBeLessThan(compaction!.heapTotalBefore / 2);
    expect(compaction!.heapUsedAfter).toBeLessThanOrEqual(compaction!.heapTotalAfter);
    expect(survivors.length).toBe(150_000);
    expect(survivors[149_999]).toEqual({ id: 1_499_990, name: "record-1499990" });
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  it("does nothing below its threshold", () => {
    expect(compactHeap(Number.MAX_SAFE_INTEGER)).toBeUndefined();
  });
});
