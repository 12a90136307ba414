/**
 * The wake signal under subscriptions (adapter-kit/wake-signal.ts), against a model: a waiter on
 * round r that follows types T is woken exactly when a notify after round r named one of T, named
 * no types, or T is "every type". Waiting on an older round sees the notifies it missed.
 */
import { createWakeSignal } from "@berth/engine";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const TYPES = ["Pushed", "Scanned", "Replicated"] as const;
const typesArb = fc.option(fc.subarray([...TYPES]), { nil: undefined });

type Step =
  | { readonly kind: "notify"; readonly types: ReadonlyArray<string> | undefined }
  | { readonly kind: "wait"; readonly types: ReadonlyArray<string> | undefined; readonly lag: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("notify" as const), types: typesArb }),
  fc.record({ kind: fc.constant("wait" as const), types: typesArb, lag: fc.nat(3) }),
);

interface Waiter {
  readonly round: number;
  readonly types: ReadonlyArray<string> | undefined;
  woken: boolean;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("wake signal", () => {
  it("wakes a waiter exactly when a later notify concerns the types it follows", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 40 }), async (steps) => {
        const signal = createWakeSignal();
        const notified: Array<ReadonlyArray<string> | undefined> = []; // index k: the notify of round k + 1
        const waiters: Waiter[] = [];
        const concerns = (waiter: Waiter) =>
          notified
            .slice(waiter.round)
            .some(
              (types) =>
                types === undefined ||
                waiter.types === undefined ||
                types.some((type) => waiter.types?.includes(type)),
            );
        for (const step of steps) {
          if (step.kind === "notify") {
            signal.notify(step.types);
            notified.push(step.types);
          } else {
            const waiter: Waiter = {
              round: Math.max(0, signal.round() - step.lag),
              types: step.types,
              woken: false,
            };
            waiters.push(waiter);
            const types = step.types === undefined ? {} : { types: new Set(step.types) };
            void signal.wait(waiter.round, types).then(() => {
              waiter.woken = true;
            });
          }
          await settle();
          for (const waiter of waiters) expect(waiter.woken).toBe(concerns(waiter));
        }
        signal.notify(); // names no types: everyone still waiting wakes
        await settle();
        expect(waiters.every((waiter) => waiter.woken)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("still wakes a waiter that follows types when its timeout passes", async () => {
    const signal = createWakeSignal();
    const started = Date.now();
    signal.notify(["Pushed"]);
    await signal.wait(signal.round(), { types: new Set(["Scanned"]), timeoutMs: 30 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
