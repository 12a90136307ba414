/**
 * The edge's native base64 decoding of layer parts against the codec's own check, the reference: on
 * any text near base64, it decodes exactly the texts the codec accepts (to the bytes Node's decoder
 * gives them), and leaves every other text for the codec to refuse.
 */
import { randomBytes } from "node:crypto";
import { decodeRequest } from "@berth/core";
import { decodeExactBase64 } from "@berth/server";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";

/** Every character below 0x80 (its UTF-8 is one byte each). */
const isAscii = (text: string) => Buffer.byteLength(text, "utf8") === text.length;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const codecAccepts = (layerPartBlob: string | Uint8Array) =>
  E.isRight(
    decodeRequest("UploadLayerPart", {
      repositoryName: "repo",
      uploadId: "0f0c8a4e-9a45-4b4e-8a36-7f1b1d6f7c1a",
      partFirstByte: 0,
      partLastByte: 0,
      layerPartBlob,
    }),
  );

describe("decodeExactBase64", () => {
  // Mostly base64 (of any length and padding), with the odd character Node's decoder reads or skips.
  const character = fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...ALPHABET) },
    fc.constantFrom("=", "-", "_", " ", "\n", "\t", "é", "\u0100", "\u0000", ".", "€", "\ud800"),
  );
  const text = fc.oneof(
    fc.array(character, { maxLength: 40 }).map((chars) => chars.join("")),
    fc.uint8Array({ maxLength: 30 }).map((bytes) => Buffer.from(bytes).toString("base64")),
    fc.tuple(fc.uint8Array({ maxLength: 30 }), fc.nat(), character).map(([bytes, at, c]) => {
      const base64 = Buffer.from(bytes).toString("base64");
      const i = at % (base64.length + 1);
      return base64.slice(0, i) + c + base64.slice(i);
    }),
  );

  it("decodes exactly the texts the codec accepts, to Node's bytes for them", () => {
    fc.assert(
      fc.property(text, (candidate) => {
        const decoded = decodeExactBase64(candidate);
        expect(decoded !== undefined, JSON.stringify(candidate)).toBe(codecAccepts(candidate));
        if (decoded !== undefined) {
          expect(decoded.equals(Buffer.from(candidate, "base64"))).toBe(true);
          expect(codecAccepts(decoded)).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it("decodes a text given as its ASCII bytes (as the body parser hands a layer part over) as it decodes the string", () => {
    const ascii = text.filter((candidate) => isAscii(candidate));
    fc.assert(
      fc.property(ascii, (candidate) => {
        const fromBytes = decodeExactBase64(Buffer.from(candidate, "latin1"));
        expect(fromBytes?.toString("hex"), JSON.stringify(candidate)).toBe(
          decodeExactBase64(candidate)?.toString("hex"),
        );
      }),
      { numRuns: 20_000 },
    );
    // Texts of several 64 KiB slices, whole or with one character changed anywhere.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400_000 }),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom("=", "-", "_", " ", ".", "A")), { nil: undefined }),
        (size, change) => {
          let candidate = randomBytes(size).toString("base64");
          if (change !== undefined) {
            const at = change[0] % candidate.length;
            candidate = candidate.slice(0, at) + change[1] + candidate.slice(at + 1);
          }
          const fromBytes = decodeExactBase64(Buffer.from(candidate, "latin1"));
          expect(fromBytes?.toString("hex")).toBe(decodeExactBase64(candidate)?.toString("hex"));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("bounds decoded bytes by their length, refusing them in the words the text gets", () => {
    expect(codecAccepts(new Uint8Array(20 * 1024 * 1024))).toBe(true);
    const refusal = (layerPartBlob: string | Uint8Array) =>
      decodeRequest("UploadLayerPart", { repositoryName: "repo", uploadId: "u", layerPartBlob });
    const oversized = randomBytes(20 * 1024 * 1024 + 1);
    const bytes = refusal(oversized);
    expect(E.isLeft(bytes) && bytes.left.message).toMatch(/less than or equal to 20971520/);
    expect(bytes).toEqual(refusal(oversized.toString("base64")));
    // Any short blob shows as its base64 too (every padding, either side of the cut).
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 90 }), (small) => {
        const asText = { repositoryName: "r", layerPartBlob: Buffer.from(small).toString("base64") };
        expect(decodeRequest("UploadLayerPart", { ...asText, layerPartBlob: small })).toEqual(
          decodeRequest("UploadLayerPart", asText),
        );
      }),
    );
  });
});
