/**
 * The ECR body scanner against JSON.parse, the reference: on any JSON it keeps exactly the declared
 * members JSON.parse would give; on any text it refuses what JSON.parse refuses; and it refuses what
 * JSON.parse accepts only where a bound is passed (depth, values of a declared member).
 */
import {
  INVALID_JSON_MESSAGE,
  MAX_JSON_DEPTH,
  MAX_MEMBER_VALUES,
  memberNames,
  parseRequestBody,
} from "@berth/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** Every character below 0x80 (its UTF-8 is one byte each). */
const isAscii = (text: string) => Buffer.byteLength(text, "utf8") === text.length;

const MEMBERS = ["repositoryName", "imageIds", "maxResults", "a", "constructor"];
const members = memberNames(MEMBERS);

/**
 * What the scanner should give: JSON.parse of the body as UTF-8 (as the server read it before), then
 * only the declared members of an object.
 */
const reference = (body: string): { ok: true; request: unknown } | { ok: false } => {
  const text = Buffer.from(body).toString("utf8");
  let value: unknown;
  try {
    value = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    return { ok: false };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: true, request: value };
  const kept = Object.entries(value).filter(([key]) => MEMBERS.includes(key));
  return { ok: true, request: Object.fromEntries(kept) };
};

const parse = (text: string | Buffer) =>
  parseRequestBody(typeof text === "string" ? Buffer.from(text) : text, members);

const nested = (depth: number, inner = "1") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;

describe("parseRequestBody", () => {
  const key = fc.oneof(
    fc.constantFrom(...MEMBERS, "__proto__", "other", "repository\\u004eame"),
    fc.string(),
  );
  const json = fc.jsonValue({ maxDepth: 4 });
  const body = fc.oneof(
    fc.tuple(fc.dictionary(key, json), fc.nat(2)).map(([o, indent]) => JSON.stringify(o, null, indent)),
    json.map((v) => JSON.stringify(v)),
    fc.json({ maxDepth: 4 }),
  );

  it("keeps exactly the declared members JSON.parse gives, on any JSON", () => {
    fc.assert(
      fc.property(body, (text) => {
        expect(parse(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("hands the member named by bytesOf over as its bytes when it is a plain ASCII string, else as JSON.parse gives it", () => {
    fc.assert(
      fc.property(body, (text) => {
        const expected = reference(text);
        const parsed = parseRequestBody(Buffer.from(text), members, "a");
        const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
        if (!expected.ok || !parsed.ok || !isObject(expected.request)) {
          expect(parsed).toEqual(expected);
          return;
        }
        const { a, ...rest } = parsed.request as Record<string, unknown>;
        const { a: expectedA, ...expectedRest } = expected.request as Record<string, unknown>;
        expect(rest).toEqual(expectedRest);
        if (Buffer.isBuffer(a)) {
          expect(typeof expectedA === "string" && isAscii(expectedA)).toBe(true);
          expect(a.toString("latin1")).toBe(expectedA);
        } else expect(a).toEqual(expectedA);
      }),
      { numRuns: 2000 },
    );
    const plain = parseRequestBody(Buffer.from('{"a":"QUJD","repositoryName":"QUJD"}'), members, "a");
    expect(plain.ok && plain.request).toEqual({ a: Buffer.from("QUJD"), repositoryName: "QUJD" });
    const escaped = parseRequestBody(Buffer.from('{"a":"Q\\u0055JD"}'), members, "a");
    expect(escaped.ok && escaped.request).toEqual({ a: "QUJD" });
  });

  it("decodes escaped member names, as JSON.parse does", () => {
    expect(parse('{"repository\\u004eame":"x","a":1,"a":2}')).toEqual({
      ok: true,
      request: { repositoryName: "x", a: 2 },
    });
  });

  it("refuses exactly what JSON.parse refuses, on any text near JSON", () => {
    const mutated = fc
      .tuple(
        body,
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...'{}[]",:\\ 0-.eE+tfnu\u0000\u001f\ud800x'),
        fc.boolean(),
      )
      .map(([text, at, cut, insert, inserting]) => {
        const i = at % (text.length + 1);
        return inserting
          ? text.slice(0, i) + insert + text.slice(i)
          : text.slice(0, i) + text.slice(i + (cut % 3));
      });
    const text = fc.oneof(mutated, fc.string({ unit: "binary", maxLength: 40 }));
    fc.assert(
      fc.property(text, (candidate) => {
        const expected = reference(candidate);
        const actual = parse(candidate);
        expect(actual.ok, candidate).toBe(expected.ok);
        if (!actual.ok) expect(actual.message).toBe(INVALID_JSON_MESSAGE);
        else expect(actual).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it("reads long strings (scanned four bytes at a time) as JSON.parse does, at any alignment", () => {
    // Long runs of plain bytes with the odd quote, backslash, escape, control or non-ASCII byte.
    const piece = fc.oneof(
      { weight: 8, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 80 }) },
      fc.constantFrom('"', "\\", '\\"', "\\u00e9", "\n", "\u0000", "\u001f", "é", "€", "\u007f"),
    );
    const value = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(""));
    fc.assert(
      fc.property(value, fc.nat(7), fc.constantFrom("repositoryName", "other"), (text, shift, name) => {
        const json = `{"${name}":"${text}"}`;
        // The body at every offset of the underlying memory, as a pooled Buffer may sit.
        const padded = Buffer.alloc(Buffer.byteLength(json) + shift);
        padded.write(json, shift);
        const actual = parse(padded.subarray(shift));
        const expected = reference(json);
        expect(actual.ok, json).toBe(expected.ok);
        if (actual.ok) expect(actual).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("reads invalid UTF-8 as JSON.parse of the decoded text does", () => {
    const bytes = Buffer.concat([
      Buffer.from('{"repositoryName":"a'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('"}'),
    ]);
    expect(parse(bytes)).toEqual({ ok: true, request: JSON.parse(bytes.toString("utf8")) });
  });

  it("refuses nesting deeper than the limit, in any member or none", () => {
    expect(parse(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`).ok).toBe(true);
    for (const text of [
      `{"a":${nested(MAX_JSON_DEPTH)}}`,
      `{"unknown":${nested(100_000)}}`,
      `{"x":${'{"y":'.repeat(100_000)}1${"}".repeat(100_000)}}`,
      nested(100_000),
    ]) {
      expect(parse(text)).toEqual({
        ok: false,
        message: `The request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`,
      });
    }
  });

  it("skips an unknown member of any size unparsed, and bounds the values of a declared one", () => {
    const huge = `{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":[1,"\\"x\\u0041"]`).join(",")}}`;
    expect(parse(`{"unknown":${huge},"maxResults":5}`)).toEqual({ ok: true, request: { maxResults: 5 } });
    // Top-level members too, with names as long as declared ones (compared byte by byte).
    const members = Array.from({ length: 100_000 }, (_, i) => `"repositoryNam${i % 10}":${i},"é${i}":1`);
    expect(parse(`{${members.join(",")},"a":"last","repositoryName":"x"}`)).toEqual({
      ok: true,
      request: { a: "last", repositoryName: "x" },
    });
    const many = `[${Array.from({ length: MAX_MEMBER_VALUES }, () => "1").join(",")}]`;
    expect(parse(`{"imageIds":${many}}`)).toEqual({
      ok: false,
      message: `Member 'imageIds' holds more than ${MAX_MEMBER_VALUES} JSON values, more than any ECR request`,
    });
  });
});
