/**
 * The core's own SHA-256 and UTF-8 encoder (pure TypeScript, so `decide` needs no platform crypto)
 * against node:crypto and Buffer, on random input: unicode of every kind, lone surrogates, and byte
 * lengths around the 64-byte block and the 56-byte padding boundary.
 */
import { createHash } from "node:crypto";
import { manifestDigest, sha256Hex, utf8Encode } from "@berth/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const nodeSha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/** Strings made of arbitrary UTF-16 code units: lone and paired surrogates included. */
const utf16Arb = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.integer({ min: 0, max: 0x7f }),
    ),
    { maxLength: 80 },
  )
  .map((units) => String.fromCharCode(...units));

const stringArb = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "grapheme-composite" }),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "binary-ascii" }),
  utf16Arb,
);

/** Lengths where padding changes shape: 55/56 (length field fits or not), 63/64/65 (block edge). */
const BOUNDARY_LENGTHS = [
  0, 1, 55, 56, 57, 63, 64, 65, 111, 119, 120, 121, 127, 128, 129, 183, 184, 191, 192,
];

const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .constantFrom(...BOUNDARY_LENGTHS)
    .chain((length) => fc.uint8Array({ minLength: length, maxLength: length })),
);

describe("utf8Encode", () => {
  it("equals Buffer.from(s, 'utf8') and TextEncoder", () => {
    fc.assert(
      fc.property(stringArb, (s) => {
        const encoded = utf8Encode(s);
        expect(Buffer.from(encoded).equals(Buffer.from(s, "utf8"))).toBe(true);
        expect(encoded).toEqual(new TextEncoder().encode(s));
      }),
      { numRuns: 300 },
    );
  });

  it("replaces lone surrogates with U+FFFD, wherever they are", () => {
    for (const s of ["\ud800", "a\udc00", "\ud83d", "\ud83dx", "x\ude00\ud83d\ude00", "\udbff\udfff\udbff"]) {
      expect(Buffer.from(utf8Encode(s))).toEqual(Buffer.from(s, "utf8"));
    }
  });
});

describe("sha256Hex", () => {
  it("equals node:crypto", () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        expect(sha256Hex(bytes)).toBe(nodeSha256(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("equals node:crypto at every length up to 300 bytes", () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let length = 0; length <= 300; length++) {
      const slice = bytes.subarray(0, length);
      expect(sha256Hex(slice)).toBe(nodeSha256(slice));
    }
  });

  it("equals node:crypto on a megabyte", () => {
    const bytes = Uint8Array.from({ length: 1024 * 1024 + 3 }, (_, i) => (i * 2654435761) >>> 24);
    expect(sha256Hex(bytes)).toBe(nodeSha256(bytes));
  });

  it("gives the FIPS 180-2 test vectors", () => {
    expect(sha256Hex(new Uint8Array())).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(sha256Hex(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(
      sha256Hex(new TextEncoder().encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    ).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("does not modify its input", () => {
    const bytes = Uint8Array.from([1, 2, 3, 4]);
    sha256Hex(bytes);
    expect([...bytes]).toEqual([1, 2, 3, 4]);
  });
});

describe("manifestDigest", () => {
  it("is sha256: and the digest of the UTF-8 bytes, as node computes it", () => {
    fc.assert(
      fc.property(stringArb, (s) => {
        expect(manifestDigest(s)).toBe(`sha256:${nodeSha256(Buffer.from(s, "utf8"))}`);
      }),
      { numRuns: 200 },
    );
  });
});
