/**
 * The ECR body scanner against JSON.parse, the reference: on any JSON it keeps exactly the declared
 * members JSON.parse would give; on any text it refuses what JSON.parse refuses; and it refuses what
 * JSON.parse accepts only where a bound is passed (depth, values of a declared member).
 */
import {
  decodeExactBase64,
  INVALID_JSON_MESSAGE,
  MAX_JSON_DEPTH,
  MAX_MEMBER_VALUES,
  memberNames,
  parseRequestBody,
} from "@berth/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const MEMBERS = ["repositoryName", "imageIds", "maxResults", "a", "constructor"];
const members = memberNames(MEMBERS);

/**
 * What the scanner should give: JSON.parse of the body as UTF-8 (as the server read it before), then
 * only the declared members of an object.
 */
const reference = (body: string | Buffer): { ok: true; request: unknown } | { ok: false } => {
  const text = (typeof body === "string" ? Buffer.from(body) : body).toString("utf8");
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

  /** `reference`, with member `a` decoded when it is a string of exact base64 (as base64Of asks). */
  const referenceDecodingA = (body: string | Buffer) => {
    const expected = reference(body);
    const request = expected.ok ? expected.request : undefined;
    if (typeof request !== "object" || request === null || Array.isArray(request)) return expected;
    const { a } = request as Record<string, unknown>;
    const decoded = typeof a === "string" ? decodeExactBase64(a) : undefined;
    return decoded === undefined ? expected : { ok: true, request: { ...request, a: decoded } };
  };

  it("decodes the member named by base64Of when it is a string of exact base64, else gives it as JSON.parse does", () => {
    fc.assert(
      fc.property(body, (text) => {
        expect(parseRequestBody(Buffer.from(text), members, "a")).toEqual(referenceDecodingA(text));
      }),
      { numRuns: 2000 },
    );
    const plain = parseRequestBody(Buffer.from('{"a":"QUJD","repositoryName":"QUJD"}'), members, "a");
    expect(plain.ok && plain.request).toEqual({ a: Buffer.from("ABC"), repositoryName: "QUJD" });
    const escaped = parseRequestBody(Buffer.from('{"a":"Q\\u0055JD"}'), members, "a");
    expect(escaped.ok && escaped.request).toEqual({ a: Buffer.from("ABC") });
    const notBase64 = parseRequestBody(Buffer.from('{"a":"QUJ-"}'), members, "a");
    expect(notBase64.ok && notBase64.request).toEqual({ a: "QUJ-" });
  });

  it("returns nothing that is a view of the body, so its buffer can be lent to the next request", () => {
    fc.assert(
      fc.property(body, (text) => {
        const bytes = Buffer.from(text);
        const parsed = parseRequestBody(bytes, members, "a");
        bytes.fill(0x20);
        expect(parsed).toEqual(parseRequestBody(Buffer.from(text), members, "a"));
      }),
      { numRuns: 2000 },
    );
  });

  it("finds where a base64 member ends without the JSON scan, and still refuses what JSON.parse refuses", () => {
    // Base64 with any byte put in (a quote, an escape, a control or non-ASCII byte), in a body that
    // goes on after it.
    const anyByte = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x22, 0x5c, 0x00, 0x0a, 0x1f, 0x2d, 0x5f, 0x3d, 0x80, 0xff),
    );
    const candidate = fc
      .tuple(
        fc.uint8Array({ maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), anyByte), { maxLength: 3 }),
        fc.constantFrom(',"repositoryName":"r"}', "}", ',"a":"QUJD"}', ', "x": [1, {"y": "\\""}]}', ""),
      )
      .map(([bytes, changes, rest]) => {
        const text = [...Buffer.from(Buffer.from(bytes).toString("base64"))];
        for (const [at, byte] of changes) text.splice(at % (text.length + 1), 0, byte);
        return Buffer.concat([Buffer.from('{"a":"'), Buffer.from(text), Buffer.from(`"${rest}`)]);
      });
    fc.assert(
      fc.property(candidate, (bytes) => {
        const parsed = parseRequestBody(bytes, members, "a");
        const expected = referenceDecodingA(bytes);
        if (!expected.ok) expect(parsed).toEqual({ ok: false, message: INVALID_JSON_MESSAGE });
        else expect(parsed).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
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
