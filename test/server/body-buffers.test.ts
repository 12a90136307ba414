/**
 * Lending request bodies one spare buffer: whatever the order of takes and give-backs (repeated,
 * foreign, of any size), no two bodies out on loan share memory, each has the size asked for, and a
 * body given back is lent again when the next large body fits in it.
 */
import { createBodyBuffers } from "@berth/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const MINIMUM = 1024;

type Step =
  | { readonly kind: "take"; readonly size: number }
  | { readonly kind: "giveBack"; readonly which: number }
  | { readonly kind: "giveBackAgain"; readonly which: number }
  | { readonly kind: "giveBackForeign"; readonly size: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("take" as const), size: fc.integer({ min: 0, max: 4 * MINIMUM }) }),
  fc.record({ kind: fc.constant("giveBack" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("giveBackAgain" as const), which: fc.nat() }),
  fc.record({
    kind: fc.constant("giveBackForeign" as const),
    size: fc.integer({ min: 0, max: 4 * MINIMUM }),
  }),
);

/** Whether two buffers share a byte of memory (small ones may share Node's pool, never a byte). */
const overlap = (a: Buffer, b: Buffer) =>
  a.buffer === b.buffer &&
  a.byteLength > 0 &&
  b.byteLength > 0 &&
  a.byteOffset < b.byteOffset + b.byteLength &&
  b.byteOffset < a.byteOffset + a.byteLength;

describe("createBodyBuffers", () => {
  it("never lends memory that is out on loan, however bodies are taken and given back", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const buffers = createBodyBuffers(MINIMUM);
        const out: Buffer[] = [];
        const returned: Buffer[] = [];
        for (const s of steps) {
          if (s.kind === "take") {
            const body = buffers.take(s.size);
            expect(body.byteLength).toBe(s.size);
            // A body's memory is its own: filling it changes no other body out on loan.
            body.fill(out.length + 1);
            for (const [k, other] of out.entries()) {
              if (other.byteLength > 0) expect(other[0]).toBe(k + 1);
              expect(overlap(body, other)).toBe(false);
            }
            out.push(body);
          } else if (s.kind === "giveBack" && out.length > 0) {
            const [body] = out.splice(s.which % out.length, 1) as [Buffer];
            buffers.giveBack(body);
            returned.push(body);
            for (const [k, other] of out.entries()) other.fill(k + 1); // renumbered after the removal
          } else if (s.kind === "giveBackAgain" && returned.length > 0) {
            buffers.giveBack(returned[s.which % returned.length] as Buffer);
          } else if (s.kind === "giveBackForeign") {
            buffers.giveBack(Buffer.allocUnsafeSlow(s.size));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("lends a body given back to the next large body that fits", () => {
    const buffers = createBodyBuffers(MINIMUM);
    const first = buffers.take(3 * MINIMUM);
    buffers.giveBack(first);
    const second = buffers.take(2 * MINIMUM);
    expect(second.buffer).toBe(first.buffer);
    expect(buffers.take(2 * MINIMUM).buffer).not.toBe(first.buffer); // lent out already
    buffers.giveBack(second);
    expect(buffers.take(4 * MINIMUM).buffer).not.toBe(first.buffer); // too small for it
    expect(buffers.take(3 * MINIMUM).buffer).toBe(first.buffer);
  });
});
