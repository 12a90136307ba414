/**
 * Hostile requests to the OCI /v2 API, as fast-check arbitraries: targets starting with `//`,
 * garbage and encoded path segments, bad digests, references and query parameters, bad methods,
 * Authorization, Range, Content-Range and Content-Type headers, manifests that are bad JSON, bad
 * UTF-8 or nested past any limit, bodies cut short, and framing node's client will not send (sent
 * raw). Writes name only `fuzz/*` repositories, except behind a `//host` prefix, which must never
 * reach the kept ones.
 */
import fc from "fast-check";
import { FUZZ_REPOSITORIES, type HostileFixture, KEPT_REPOSITORIES } from "../server/hostile-fixture.js";
import type { HostileRequest } from "../support/hostile-client.js";
import { MediaTypes } from "../support/oci-client.js";

const READ_METHODS = ["GET", "HEAD"] as const;
const WRITE_METHODS = ["PUT", "PATCH", "POST", "DELETE"] as const;

const nest = (depth: number) => `{"schemaVersion":2,"x":${"[".repeat(depth)}1${"]".repeat(depth)}}`;

export const ociHostileRequests = (fixture: HostileFixture, port: number): fc.Arbitrary<HostileRequest> => {
  const manifests = fixture.kept.map((k) => k.image.manifest);
  const digest = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...fixture.digests, ...fixture.kept.map((k) => k.image.digest)) },
    { weight: 2, arbitrary: fc.stringMatching(/^sha256:[0-9a-f]{64}$/) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "sha256:",
        "sha256:ZZ",
        `sha256:${"A".repeat(64)}`,
        `sha512:${"0".repeat(128)}`,
        "md5:x",
        "%00",
        "..",
        "sha256:%2e%2e",
      ),
    },
  );
  const reference = fc.oneof(
    digest,
    fc.constantFrom("v1", "latest", "nope", "UPPER-ok", "-bad", "a".repeat(300)),
  );
  const garbageName = fc.constantFrom(
    "UPPER/x",
    "a//b",
    "..",
    "a/../b",
    "%2e%2e",
    "-x",
    "a".repeat(300),
    "%00",
  );
  const name = (write: boolean) =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          ...(write ? FUZZ_REPOSITORIES : [...KEPT_REPOSITORIES, ...FUZZ_REPOSITORIES]),
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom("fuzz/absent", "x") },
      { weight: 1, arbitrary: garbageName },
    );
  const uploadId = fc.constantFrom(
    ...fixture.uploadIds,
    "00000000-0000-4000-8000-000000000000",
    "not-a-uuid",
    "%00",
  );
  const query = fc.oneof(
    { weight: 4, arbitrary: fc.constant("") },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "?n=-1",
        "?n=0",
        "?n=99999999999999999999",
        "?n=abc&last=%ff",
        "?last=zzz",
        "?digest=",
        "?digest=sha256:zz",
        "?mount=sha256:zz&from=keep/a",
        "?artifactType=%00",
        "?%",
        "?a=%zz",
      ),
    },
    { weight: 1, arbitrary: digest.map((d) => `?digest=${d}`) },
    { weight: 1, arbitrary: fc.tuple(digest, name(false)).map(([d, from]) => `?mount=${d}&from=${from}`) },
  );
  const path = (write: boolean) =>
    fc.oneof(
      fc.constantFrom("/v2/", "/v2", "/v2/_catalog", "/v2/_catalog?n=1&last=keep/a"),
      name(write).map((n) => `/v2/${n}/tags/list`),
      fc.tuple(name(write), reference).map(([n, r]) => `/v2/${n}/manifests/${r}`),
      fc.tuple(name(write), digest).map(([n, d]) => `/v2/${n}/blobs/${d}`),
      name(write).map((n) => `/v2/${n}/blobs/uploads/`),
      fc.tuple(name(write), uploadId).map(([n, u]) => `/v2/${n}/blobs/uploads/${u}`),
      fc.tuple(name(write), digest).map(([n, d]) => `/v2/${n}/referrers/${d}`),
      fc.constantFrom("/", "/v2/x/y/z/unknown", "/v3/", "/_berth/layers/x", "/v2/%2F", "/v2/\\x"),
    );
  /** Any method on any path behind `//host`: never a host, never the kept repositories' path. */
  const hostPrefixed = fc
    .tuple(
      fc.constantFrom(...READ_METHODS, ...WRITE_METHODS),
      path(false),
      fc.constantFrom("//x", `//127.0.0.1:${port}`, "//", "//:0x", "//[::1"),
    )
    .map(([method, p, prefix]) => ({ method, target: `${prefix}${p}` }));
  const target = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...READ_METHODS), path(false)) },
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...WRITE_METHODS), path(true)) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom("OPTIONS", "TRACE", "CONNECT", "PROPFIND", "LOCK"), path(true)),
    },
  );
  const routed = fc
    .tuple(target, query)
    .map(([[method, p], q]) => ({ method: method as string, target: `${p}${p.includes("?") ? "" : q}` }));

  const headerValues: Record<string, fc.Arbitrary<string>> = {
    authorization: fc.constantFrom(
      "Basic Og==",
      "basic Og==",
      "Basic !!!",
      "Bearer x",
      "Basic",
      "",
      "Basic QVdTOng=",
    ),
    range: fc.constantFrom(
      "bytes=0-0",
      "bytes=-1",
      "bytes=5-1",
      "bytes=0-",
      "bytes=99999999999999999999-",
      "bytes=0-1,2-3",
      "bytes=",
      "items=0-1",
      "bytes=-0",
    ),
    "content-range": fc.constantFrom(
      "0-0",
      "0-99",
      "5-1",
      "bytes 0-1/2",
      "-1-2",
      "0-99999999999999999999",
      "x",
      "",
    ),
    "content-type": fc.constantFrom(...Object.values(MediaTypes), "application/json", "", "x/y; charset=%ff"),
    accept: fc.constantFrom(MediaTypes.ociManifest, MediaTypes.ociIndex, "*/*", "garbage", ""),
    "content-encoding": fc.constantFrom("gzip", "identity", "x"),
  };
  const header = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(...Object.keys(headerValues))
        .chain((h) => (headerValues[h] as fc.Arbitrary<string>).map((v) => [h, v] as const)),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
        fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
      ),
    },
  );
  const body = fc.oneof(
    { weight: 5, arbitrary: fc.constant(new Uint8Array()) },
    { weight: 3, arbitrary: fc.constantFrom(...manifests).map((m) => Buffer.from(m)) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 400 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v))) },
    { weight: 1, arbitrary: fc.constantFrom(99, 100, 101, 3_000, 20_000).map((d) => Buffer.from(nest(d))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...manifests),
          fc.nat(),
          fc.constantFrom([0x80], [0xff, 0xfe], [0xed, 0xa0, 0x80], [0x22], [0x7b]),
        )
        .map(([m, at, bad]) =>
          Buffer.concat([
            Buffer.from(m.slice(0, at % m.length)),
            Buffer.from(bad),
            Buffer.from(m.slice(at % m.length)),
          ]),
        ),
    },
  );
  const request = fc
    .record({
      line: fc.oneof({ weight: 12, arbitrary: routed }, { weight: 1, arbitrary: hostPrefixed }),
      headers: fc.array(header, { maxLength: 3 }),
      body,
      truncate: fc.oneof(
        { weight: 40, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    })
    .map(
      ({ line, headers, body: b, truncate }): HostileRequest => ({
        ...line,
        headers,
        body: b,
        ...(truncate && b.length > 1 ? { truncate } : {}),
      }),
    );

  /** Framing node's client will not produce, sent as bytes: methods, versions, header bytes, lengths. */
  const raw = fc
    .constantFrom<readonly [line: string, headers: string, body: string]>(
      ["get /v2/ HTTP/1.1", "", ""],
      ["FOO /v2/ HTTP/1.1", "", ""],
      ["GET /v2/ HTTP/9.9", "", ""],
      ["GET /v2/ HTTP/1.0", "", ""],
      ["GET  /v2/ HTTP/1.1", "", ""],
      ["GET /v2/\u0000 HTTP/1.1", "", ""],
      ["GET /v2/keep/a/tags/list HTTP/1.1", "x-bad: a\u0001b\r\n", ""],
      ["GET /v2/ HTTP/1.1", "x-folded: a\r\n b\r\n", ""],
      ["PUT /v2/fuzz/a/manifests/v9 HTTP/1.1", "content-length: 5\r\ncontent-length: 6\r\n", "{}{}{}"],
      ["PUT /v2/fuzz/a/manifests/v9 HTTP/1.1", "content-length: -1\r\n", ""],
      [
        "PUT /v2/fuzz/a/manifests/v9 HTTP/1.1",
        "transfer-encoding: chunked\r\ncontent-length: 3\r\n",
        "3\r\n{}{\r\n0\r\n\r\n",
      ],
      ["PATCH /v2/fuzz/a/blobs/uploads/x HTTP/1.1", "transfer-encoding: chunked\r\n", "zz\r\n"],
      ["PATCH /v2/fuzz/a/blobs/uploads/x HTTP/1.1", "content-length: 1000\r\n", "short"],
      ["GET /v2/ HTTP/1.1", `x-long: ${"a".repeat(20_000)}\r\n`, ""],
      ["DELETE //x/v2/keep/a/manifests/v1 HTTP/1.1", "", ""],
      ["DELETE //x/v2/keep/a/blobs/uploads/x HTTP/1.1", "", ""],
      ["DELETE http://x/v2/fuzz/a/manifests/v1 HTTP/1.1", "", ""],
      ["GET * HTTP/1.1", "", ""],
      ["", "", ""],
    )
    .map(
      ([line, headers, body]): HostileRequest => ({
        method: "RAW",
        target: "",
        headers: [],
        body: new Uint8Array(),
        raw: Buffer.from(`${line}\r\nhost: 127.0.0.1:${port}\r\n${headers}\r\n${body}`, "latin1"),
      }),
    );
  return fc.oneof({ weight: 40, arbitrary: request }, { weight: 1, arbitrary: raw });
};
