/**
 * A refused value is shown in the message as JSON, cut at 100 characters: exactly JSON.stringify's
 * first 100, however large or deep the value (a value nested 200,000 deep overflowed JSON.stringify).
 */
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { decodeRequest } from "../../src/index.js";

const refusal = (value: unknown): string => {
  const decoded = decodeRequest("CreateRepository", { repositoryName: value });
  if (E.isRight(decoded)) throw new Error("expected a refusal");
  return decoded.left.message;
};

/** What the message shows of a value: JSON.stringify's text, cut as before. */
const shown = (value: unknown): string => {
  const text = JSON.stringify(value);
  return `Value '${text.length > 100 ? `${text.slice(0, 100)}...` : text}' at 'repositoryName'`;
};

describe("the value in a validation message", () => {
  it("is JSON.stringify's text cut at 100 characters, for any JSON object or array", () => {
    const value = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()));
    fc.assert(
      fc.property(value, (v) => {
        expect(refusal(v)).toContain(shown(v));
      }),
      { numRuns: 1000 },
    );
  });

  it("costs no stack however deep the value, and little however large", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(refusal(deep)).toContain(`Value '${"[".repeat(100)}...'`);
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(refusal(wide)).toContain(shown(wide));
  });
});
