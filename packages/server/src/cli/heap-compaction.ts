/**
 * One compacting garbage collection, for a process that has just folded a large log.
 *
 * A fold allocates far more than it keeps (every event is parsed, applied, then dropped), and V8's
 * old space keeps the pages that garbage was promoted to: after a start at 300,000 images the heap
 * held 1,000 MB of pages for 349 MB of live objects, and ordinary full GCs give back about 40 MB
 * each (each evacuates only the few pages its heuristics pick; docs/BENCHMARKS.md). With V8's
 * `--compact-on-every-full-gc` on for one collection, that collection moves every fragmented page:
 * 1,000 → 388 MB in one pause (about 2 s at 300,000 images on the 2-core bench machine).
 *
 * V8 flags are process-wide, so this is the embedder's choice, not the engine's: `berth serve`
 * calls it once, after its first catch-up and before it listens, when V8 holds at least
 * `SERVE_COMPACTION_THRESHOLD` (below that the pause costs more start time than the pages are
 * worth). It needs no `--expose-gc`: the `gc` function is taken from a fresh context with the flag
 * on for that moment only.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface HeapCompaction {
  /** How long the collection took, in whole milliseconds. */
  readonly ms: number;
  /** V8's committed heap before and after (`process.memoryUsage().heapTotal`), in bytes. */
  readonly heapTotalBefore: number;
  readonly heapTotalAfter: number;
  readonly heapUsedAfter: number;
}

const exposedGc = (): (() => void) => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString("--expose-gc");
  try {
    return runInNewContext("gc") as () => void;
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
};

/** The committed heap from which `berth serve` compacts after its first catch-up: 512 MiB. */
export const SERVE_COMPACTION_THRESHOLD = 512 * 2 ** 20;

/**
 * Runs one full garbage collection that compacts every fragmented page of V8's heap, if V8 holds
 * at least `threshold` bytes of heap (`heapTotal`); otherwise does nothing and says so (undefined).
 */
export const compactHeap = (threshold = 0): HeapCompaction | undefined => {
  const heapTotalBefore = process.memoryUsage().heapTotal;
  if (heapTotalBefore < threshold) return undefined;
  const gc = exposedGc();
  const started = performance.now();
  setFlagsFromString("--compact-on-every-full-gc");
  try {
    gc();
  } finally {
    setFlagsFromString("--no-compact-on-every-full-gc");
  }
  const { heapTotal, heapUsed } = process.memoryUsage();
  return {
    ms: Math.round(performance.now() - started),
    heapTotalBefore,
    heapTotalAfter: heapTotal,
    heapUsedAfter: heapUsed,
  };
};
