/**
 * Hostile requests to the ECR JSON API, as fast-check arbitraries: JSON nested past any limit, huge
 * members the operation does not know, declared members holding too many values, bad UTF-8, bad
 * JSON, wrong types, bad targets, signatures, dates and headers, other methods and paths, bodies cut
 * short. Requests that may legitimately write name only `fuzz/*` repositories; reads also name the
 * kept ones, whose state the run must leave intact.
 */
import { EcrRequests } from "@berth/core";
import fc from "fast-check";
import type { HostileRequest } from "../support/hostile-client.js";
import { FUZZ_REPOSITORIES, type HostileFixture, KEPT_REPOSITORIES } from "./hostile-fixture.js";
import { CONTENT_TYPE, signRequest, TARGET_PREFIX } from "./raw-ecr.js";

const OPERATIONS = Object.keys(EcrRequests);
const READS = OPERATIONS.filter((op) => /^(Describe|List|Get|BatchGet|BatchCheck)/.test(op));
const ACCOUNT = "000000000000";

const shapeOf = (operation: string) =>
  (
    EcrRequests[operation as keyof typeof EcrRequests] as unknown as {
      constraints: { members: object; required: string[] };
    }
  ).constraints;

const nest = (depth: number, open: string, close: string, inner: string) =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

// Large texts are built once: each request only picks one (building them per request would make
// the client, not the server, the cost of the run).

/** JSON nested `depth` deep, as arrays or as objects. */
const deep = fc.constantFrom(
  ...[2, 50, 99, 100, 101, 3_000, 20_000].flatMap((depth) => [
    nest(depth, "[", "]", '"x"'),
    nest(depth, '{"a":', "}", "1"),
  ]),
);

/** A large object of many keys (the 25 MB case, scaled down to keep the run short). */
const manyKeys = fc.constantFrom(
  ...[1_000, 20_000].map(
    (n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":[${i},"v\\u0041\\"${i}"]`).join(",")}}`,
  ),
);

/** A declared member holding more values than any request (or just fewer than the bound). */
const manyValues = fc.constantFrom(
  ...[9_999, 10_001].map((n) => `[${Array.from({ length: n }, (_, i) => `{"imageTag":"t${i}"}`).join(",")}]`),
);

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates, cut sequences. */
const badUtf8 = fc.constantFrom(
  [0x80],
  [0xff],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x00],
);

export const ecrHostileRequests = (fixture: HostileFixture, port: number): fc.Arbitrary<HostileRequest> => {
  const text = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ unit: "binary", maxLength: 20 }),
    fc.constantFrom("", "\u0000", "\ud800", "latest", "v1", ACCOUNT),
  );
  const digest = fc.oneof(
    fc.constantFrom(...fixture.digests, ...fixture.kept.map((k) => k.image.digest)),
    fc.stringMatching(/^sha256:[0-9a-f]{64}$/),
    fc.constantFrom("sha256:", "sha256:ZZ", "md5:00", `sha512:${"0".repeat(128)}`),
  );
  const value = (member: string, write: boolean): fc.Arbitrary<unknown> => {
    const repositories = write ? FUZZ_REPOSITORIES : [...KEPT_REPOSITORIES, ...FUZZ_REPOSITORIES];
    const plausible: Record<string, fc.Arbitrary<unknown>> = {
      registryId: fc.constantFrom(ACCOUNT, "111111111111", "x"),
      repositoryName: fc.constantFrom(...repositories, "fuzz/absent", "UPPER", ""),
      repositoryNames: fc.array(fc.constantFrom(...repositories), { maxLength: 3 }),
      imageIds: fc.array(fc.record({ imageTag: text, imageDigest: digest }, { requiredKeys: [] }), {
        maxLength: 3,
      }),
      imageTag: text,
      imageDigest: digest,
      layerDigest: digest,
      layerDigests: fc.array(digest, { maxLength: 3 }),
      uploadId: fc.constantFrom(...fixture.uploadIds, "00000000-0000-4000-8000-000000000000", "x"),
      maxResults: fc.oneof(fc.integer({ min: -1, max: 1001 }), fc.constant(2 ** 53)),
      nextToken: text,
      partFirstByte: fc.integer({ min: -1, max: 100 }),
      partLastByte: fc.integer({ min: -1, max: 100 }),
      layerPartBlob: fc.oneof(fc.base64String({ maxLength: 40 }), text),
      imageManifest: fc.oneof(fc.constantFrom(...fixture.kept.map((k) => k.image.manifest)), text, deep),
    };
    return fc.oneof(
      { weight: 6, arbitrary: plausible[member] ?? text },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    );
  };

  const operation = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...READS) },
    { weight: 2, arbitrary: fc.constantFrom(...OPERATIONS) },
  );
  const shaped = operation.chain((op) => {
    const write = !READS.includes(op);
    const { members: declared, required } = shapeOf(op);
    const members = Object.keys(declared);
    const shape = Object.fromEntries(members.map((m) => [m, value(m, write)]));
    // Mostly with the required members, so that requests get past the codec into the registry.
    const record = fc.oneof(
      { weight: 4, arbitrary: fc.record(shape, { requiredKeys: required }) },
      { weight: 1, arbitrary: fc.record(shape, { requiredKeys: [] }) },
    );
    return record.map((r) => ({ op, json: JSON.stringify(r), members }));
  });

  /** A JSON body, made hostile in one way (or left plausible). */
  const body = shaped.chain(({ op, json, members }) => {
    const member = fc.constantFrom(...members, "unknownMember", "__proto__");
    const splice = (inner: string) =>
      member.map((m) => (json === "{}" ? `{"${m}":${inner}}` : `{"${m}":${inner},${json.slice(1)}`));
    const bytes = fc.oneof(
      { weight: 20, arbitrary: fc.constant(json) },
      { weight: 3, arbitrary: deep.chain(splice) },
      { weight: 1, arbitrary: deep },
      { weight: 1, arbitrary: manyKeys.chain(splice) },
      { weight: 1, arbitrary: manyValues.chain(splice) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
      {
        weight: 2,
        arbitrary: fc.tuple(fc.nat(), badUtf8).map(([at, bad]) => {
          const cut = at % (json.length + 1);
          return Buffer.concat([
            Buffer.from(json.slice(0, cut)),
            Buffer.from(bad),
            Buffer.from(json.slice(cut)),
          ]);
        }),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.nat(), fc.constantFrom("", "{", "}", "[", '"', ",", ":", "\\", "\\u12", "nul", "1e", "-"))
          .map(([at, insert]) => {
            const cut = at % (json.length + 1);
            return `${json.slice(0, cut)}${insert}${json.slice(cut + (insert === "" ? 1 : 0))}`;
          }),
      },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
    );
    return bytes.map((b) => ({ op, body: typeof b === "string" ? Buffer.from(b) : b }));
  });

  const target = (op: string) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constant(`${TARGET_PREFIX}${op}`) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "",
          TARGET_PREFIX,
          `${TARGET_PREFIX}__proto__`,
          `${TARGET_PREFIX}${op.toLowerCase()}`,
          `AmazonEC2ContainerRegistry_V20150921.${op}.extra`,
          op,
        ),
      },
    );
  const extraHeader = fc.oneof(
    fc.tuple(
      fc.constantFrom("x-amz-date", "x-amz-content-sha256", "content-encoding", "x-amz-security-token"),
      fc.constantFrom("", "garbage", "20000101T000000Z", "gzip", "UNSIGNED-PAYLOAD", "x".repeat(2000)),
    ),
    fc.tuple(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
      fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
    ),
  );
  const how = fc.constantFrom("signed", "signed", "signed", "signed", "unsigned", "tampered", "garbage-auth");
  const path = fc.oneof(
    { weight: 20, arbitrary: fc.constant("/") },
    { weight: 1, arbitrary: fc.constantFrom("//", "//x/", `//127.0.0.1:${port}/`, "/?a=b", "/%2e/", "/x") },
  );
  const method = fc.oneof(
    { weight: 20, arbitrary: fc.constant("POST") },
    { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "DELETE", "OPTIONS", "PATCH") },
  );

  return fc
    .record({
      request: body.chain(({ op, body: b }) => target(op).map((t) => ({ target: t, body: b }))),
      headers: fc.array(extraHeader, { maxLength: 2 }),
      how,
      path,
      method,
      truncate: fc.oneof(
        { weight: 40, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    })
    .map(({ request, headers, how: signing, path: p, method: m, truncate }): HostileRequest => {
      const base: Record<string, string> = { "content-type": CONTENT_TYPE, "x-amz-target": request.target };
      const extra = Object.fromEntries(headers);
      let sent: Record<string, string>;
      if (signing === "unsigned") sent = { ...base, ...extra };
      else if (signing === "garbage-auth") sent = { ...base, ...extra, authorization: "AWS4-HMAC-SHA256 x" };
      else {
        const signed = signRequest({
          host: `127.0.0.1:${port}`,
          headers: signing === "signed" ? { ...base, ...extra } : base,
          body: request.body,
          key: { accessKeyId: "fuzz", secretAccessKey: "fuzz" },
        });
        sent = signing === "signed" ? signed : { ...signed, ...extra };
      }
      return {
        method: m,
        target: p,
        headers: Object.entries(sent),
        body: request.body,
        ...(truncate ? { truncate } : {}),
      };
    });
};
