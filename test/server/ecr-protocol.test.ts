/**
 * The ECR JSON 1.1 protocol at the HTTP level (raw fetch and sockets): error shapes, request ids and
 * dates, the request size limit, SigV4 verification with configured credentials, and the refusal to
 * listen beyond loopback without credentials.
 */
import { createHash } from "node:crypto";
import { connect } from "node:net";
import {
  CreateRepositoryCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  InitiateLayerUploadCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { MAX_ECR_REQUEST_BYTES, serve } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { expectEcrError } from "./ecr-helpers.js";
import { amzDate, CONTENT_TYPE, ecrCall, type RawAnswer, signRequest, TARGET_PREFIX } from "./raw-ecr.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An ECR error answer: status, x-amzn-ErrorType, `__type` and a message, request id and Date. */
function expectErrorAnswer(answer: RawAnswer, type: string, status = 400) {
  expect({
    status: answer.status,
    header: answer.headers.get("x-amzn-errortype"),
    type: answer.json?.__type,
  }).toEqual({
    status,
    header: type,
    type,
  });
  expect(answer.headers.get("content-type")).toBe(CONTENT_TYPE);
  expect(typeof answer.json?.message).toBe("string");
  expectRequestIdAndDate(answer);
}

function expectRequestIdAndDate(answer: RawAnswer) {
  expect(answer.headers.get("x-amzn-requestid")).toMatch(UUID);
  const date = Date.parse(answer.headers.get("date") ?? "");
  expect(Number.isNaN(date)).toBe(false);
  expect(Math.abs(date - Date.now())).toBeLessThan(60_000);
}

interface SocketExchange {
  /** What the server answered (status line, headers, body) before closing or the deadline. */
  readonly response: string;
  /** Body bytes the client managed to hand to the socket (with backpressure) before the answer came. */
  readonly bodyBytesWritten: number;
}

/**
 * Sends a request head, then (optionally) body chunks as fast as the socket drains, until the server
 * answers, closes, or `maxBodyBytes` are sent; gives up after `timeoutMs`.
 */
function exchange(
  port: number,
  head: string,
  body: { readonly chunked: boolean; readonly maxBodyBytes: number } | undefined,
  timeoutMs = 10_000,
): Promise<SocketExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let response = "";
    let written = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response, bodyBytesWritten: written });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on("data", (data) => {
      response += data.toString("latin1");
      // The answers here are small: once the JSON body has arrived, stop.
      if (/\r\n\r\n[\s\S]*\}$/.test(response)) finish();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // The server may close while we are still writing: that is the refusal we are testing.
      if (error.code === "EPIPE" || error.code === "ECONNRESET") return setTimeout(finish, 200);
      if (!finished) reject(error);
    });
    socket.on("close", () => setTimeout(finish, 50));
    socket.write(head);
    if (body === undefined) return;
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const pump = () => {
      if (finished || socket.destroyed || written >= body.maxBodyBytes) return;
      const framed = body.chunked
        ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])
        : chunk;
      written += chunk.length;
      // Wait for the kernel to take it: the count then tracks what the server could have read.
      socket.write(framed, () => setImmediate(pump));
    };
    pump();
  });
}

/** A request head whose signature local mode accepts unverified (well-formed, in scope). */
const requestHead = (port: number, extra: string, date = amzDate(new Date())) =>
  [
    "POST / HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    `Content-Type: ${CONTENT_TYPE}`,
    `X-Amz-Target: ${TARGET_PREFIX}DescribeRepositories`,
    `Authorization: AWS4-HMAC-SHA256 Credential=test/${date.slice(0, 8)}/us-east-1/ecr/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${"0".repeat(64)}`,
    `X-Amz-Date: ${date}`,
    extra,
    "",
    "",
  ].join("\r\n");

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
const jsonBodyOf = (response: string): Record<string, unknown> =>
  JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;

describe("ECR protocol, local mode (no credentials configured)", () => {
  let berth: RunningBerth;
  const call = (target: string | undefined, body?: string) =>
    ecrCall(berth.endpoint, {
      target: target === undefined ? undefined : target,
      ...(body === undefined ? {} : { body }),
    });

  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("answers an unknown X-Amz-Target with 400 UnknownOperationException (header and __type)", async () => {
    const unknown = await call(`${TARGET_PREFIX}LaunchRockets`);
    expectErrorAnswer(unknown, "UnknownOperationException");
    expect(unknown.json?.message).toContain("LaunchRockets");
    expectErrorAnswer(await call("DynamoDB_20120810.ListTables"), "UnknownOperationException");
    expectErrorAnswer(await call(undefined), "UnknownOperationException");
    // Operation names are exact: neither a prototype member nor another case is an operation.
    expectErrorAnswer(await call(`${TARGET_PREFIX}constructor`), "UnknownOperationException");
    expectErrorAnswer(await call(`${TARGET_PREFIX}describerepositories`), "UnknownOperationException");
  });

  it("answers malformed JSON with 400 SerializationException", async () => {
    for (const body of ['{"repositoryName":', "not json", "{'a': 1}", "\u0000"]) {
      expectErrorAnswer(await call(`${TARGET_PREFIX}CreateRepository`, body), "SerializationException");
    }
  });

  it("answers a codec failure with InvalidParameterException naming the member", async () => {
    const wrongType = await call(`${TARGET_PREFIX}CreateRepository`, JSON.stringify({ repositoryName: 42 }));
    expectErrorAnswer(wrongType, "InvalidParameterException");
    expect(wrongType.json?.message).toMatch(/at 'repositoryName' failed to satisfy constraint/);
    const badEnum = await call(
      `${TARGET_PREFIX}CreateRepository`,
      JSON.stringify({ repositoryName: "ok/name", imageTagMutability: "SOMETIMES" }),
    );
    expectErrorAnswer(badEnum, "InvalidParameterException");
    expect(badEnum.json?.message).toContain("'imageTagMutability'");
    const nested = await call(
      `${TARGET_PREFIX}BatchGetImage`,
      JSON.stringify({ repositoryName: "ok/name", imageIds: [{ imageTag: "ok" }, { imageTag: "" }] }),
    );
    expectErrorAnswer(nested, "InvalidParameterException");
    expect(nested.json?.message).toContain("imageIds.2.member.imageTag");
    const missing = await call(`${TARGET_PREFIX}CreateRepository`, "{}");
    expectErrorAnswer(missing, "InvalidParameterException");
    expect(missing.json?.message).toContain("repositoryName");
  });

  it("sends x-amzn-RequestId and Date on every answer, a fresh id each time", async () => {
    const ok = await call(`${TARGET_PREFIX}DescribeRepositories`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe(CONTENT_TYPE);
    expect(ok.json).toEqual({ repositories: [] });
    expectRequestIdAndDate(ok);
    const again = await call(`${TARGET_PREFIX}DescribeRepositories`);
    expect(again.headers.get("x-amzn-requestid")).not.toBe(ok.headers.get("x-amzn-requestid"));
    expectRequestIdAndDate(await call(`${TARGET_PREFIX}Nope`));
    // The SDK reports the same id in $metadata.
    const sdk = await berth.client().send(new DescribeRepositoriesCommand({}));
    expect(sdk.$metadata.requestId).toMatch(UUID);
  });

  it("exports MAX_ECR_REQUEST_BYTES: a 20 MiB part in base64 fits, not much more", () => {
    expect(MAX_ECR_REQUEST_BYTES).toBeGreaterThanOrEqual(Math.ceil((20 * 1024 * 1024) / 3) * 4);
    expect(MAX_ECR_REQUEST_BYTES).toBeLessThan(32 * 1024 * 1024);
  });

  it("takes the largest legal part (20 MiB) through the SDK and refuses one byte more by its member", async () => {
    const ecr = berth.client();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "big/parts" }));
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: "big/parts" }));
    const largest = new Uint8Array(20 * 1024 * 1024).fill(7);
    const part = (bytes: Uint8Array) =>
      ecr.send(
        new UploadLayerPartCommand({
          repositoryName: "big/parts",
          uploadId,
          partFirstByte: 0,
          partLastByte: bytes.length - 1,
          layerPartBlob: bytes,
        }),
      );
    const tooLarge = await expectEcrError(
      part(new Uint8Array(largest.length + 1)),
      "InvalidParameterException",
    );
    expect(tooLarge.message).toContain("'layerPartBlob'");
    expect((await part(largest)).lastByteReceived).toBe(largest.length - 1);
  });

  it("refuses a declared Content-Length above the limit before any body byte is sent", async () => {
    const started = Date.now();
    const { response, bodyBytesWritten } = await exchange(
      berth.port,
      requestHead(berth.port, `Content-Length: ${MAX_ECR_REQUEST_BYTES + 1}`),
      undefined,
    );
    expect(bodyBytesWritten).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000); // answered, not waiting for the body
    expect(statusOf(response)).toBe(400);
    expect(response.toLowerCase()).toContain("x-amzn-errortype: serializationexception");
    expect(response.toLowerCase()).toContain("connection: close");
    expect(jsonBodyOf(response)).toMatchObject({ __type: "SerializationException" });
    expect(String(jsonBodyOf(response).message)).toContain(String(MAX_ECR_REQUEST_BYTES));
  });

  it("refuses a chunked body as soon as it grows past the limit, and keeps serving", async () => {
    const cap = 3 * MAX_ECR_REQUEST_BYTES;
    const { response, bodyBytesWritten } = await exchange(
      berth.port,
      requestHead(berth.port, "Transfer-Encoding: chunked"),
      { chunked: true, maxBodyBytes: cap },
      20_000,
    );
    expect(statusOf(response)).toBe(400);
    expect(jsonBodyOf(response)).toMatchObject({ __type: "SerializationException" });
    // Refused while the body was still arriving: far less than everything we were ready to send
    // (socket buffers on both sides hold a few MiB more than what the server read).
    expect(bodyBytesWritten).toBeGreaterThan(MAX_ECR_REQUEST_BYTES - 8 * 1024 * 1024);
    expect(bodyBytesWritten).toBeLessThan(MAX_ECR_REQUEST_BYTES + 16 * 1024 * 1024);

    const ok = await call(`${TARGET_PREFIX}DescribeRepositories`);
    expect(ok.status).toBe(200);
    await berth.client().send(new CreateRepositoryCommand({ repositoryName: "still/serving" }));
  });

  it("answers a forged or malformed download URL with 403, never 5xx", async () => {
    for (const path of [
      "/_berth/layers/%E0%A4%A?signature=x",
      "/_berth/layers/%?registry=000000000000&repository=a/b&expires=1&signature=x",
      `/_berth/layers/sha256:${"0".repeat(64)}?registry=000000000000&repository=a/b&expires=99999999999999&signature=forged`,
      "/_berth/layers/",
    ]) {
      const response = await fetch(`${berth.endpoint}${path}`);
      expect(response.status, path).toBe(403);
      await response.arrayBuffer();
    }
  });

  it("accepts any well-formed signature in local mode, but still wants one", async () => {
    const anyKey = await ecrCall(berth.endpoint, {
      target: `${TARGET_PREFIX}DescribeRepositories`,
      key: { accessKeyId: "whoever", secretAccessKey: "whatever" },
    });
    expect(anyKey.status).toBe(200);
    const unsigned = await ecrCall(berth.endpoint, {
      target: `${TARGET_PREFIX}DescribeRepositories`,
      unsigned: true,
    });
    expectErrorAnswer(unsigned, "MissingAuthenticationTokenException", 403);
    const malformed = await ecrCall(berth.endpoint, {
      target: `${TARGET_PREFIX}DescribeRepositories`,
      unsigned: true,
      headers: { authorization: "Bearer something", "x-amz-date": amzDate(new Date()) },
    });
    expectErrorAnswer(malformed, "IncompleteSignatureException", 403);
    const stale = await ecrCall(berth.endpoint, {
      target: `${TARGET_PREFIX}DescribeRepositories`,
      date: new Date(Date.now() - 20 * 60_000),
    });
    expectErrorAnswer(stale, "InvalidSignatureException", 403);
  });
});

describe("ECR protocol with credentials: SigV4 verification", () => {
  const ACCOUNT = "111111111111";
  const key = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
  let berth: RunningBerth;

  beforeAll(async () => {
    berth = await startBerth({
      storage: "memory",
      credentials: `${key.accessKeyId}:${key.secretAccessKey}:${ACCOUNT}`,
    });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("accepts the SDK's signature; the key's account becomes the registry id", async () => {
    const ecr = berth.client({ credentials: key });
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: "signed/app" }));
    expect(repository?.registryId).toBe(ACCOUNT);
    expect(repository?.repositoryArn).toBe(`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/signed/app`);
    expect((await ecr.send(new DescribeRegistryCommand({}))).registryId).toBe(ACCOUNT);
    const described = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(described.repositories?.map((r) => r.repositoryArn)).toEqual([repository?.repositoryArn]);
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    expect(token.authorizationData?.[0]?.proxyEndpoint).toBe(berth.endpoint);
  });

  it("refuses a request naming another account's registry with AccessDeniedException", async () => {
    const ecr = berth.client({ credentials: key });
    await expectEcrError(
      ecr.send(new CreateRepositoryCommand({ repositoryName: "elsewhere/app", registryId: "222222222222" })),
      "AccessDeniedException",
      400,
    );
    await expectEcrError(
      ecr.send(new GetAuthorizationTokenCommand({ registryIds: ["222222222222"] })),
      "AccessDeniedException",
      400,
    );
    const own = await ecr.send(new GetAuthorizationTokenCommand({ registryIds: [ACCOUNT] }));
    expect(own.authorizationData).toHaveLength(1);
  });

  it("accepts an independently computed signature that does not sign x-amz-content-sha256 (as botocore)", async () => {
    const answer = await ecrCall(berth.endpoint, { target: `${TARGET_PREFIX}DescribeRepositories`, key });
    expect(answer.status).toBe(200);
    expect(answer.json?.repositories).toBeInstanceOf(Array);
  });

  it("answers a wrong secret with 403 InvalidSignatureException", async () => {
    const ecr = berth.client({ credentials: { ...key, secretAccessKey: "not-the-secret" } });
    const error = await expectEcrError(
      ecr.send(new DescribeRepositoriesCommand({})),
      "InvalidSignatureException",
      403,
    );
    expect(error.message).toMatch(/signature/i);
  });

  it("answers an unknown access key with 403 UnrecognizedClientException", async () => {
    const ecr = berth.client({ credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "secret" } });
    await expectEcrError(ecr.send(new DescribeRepositoriesCommand({})), "UnrecognizedClientException", 403);
  });

  it("answers a missing Authorization header with 403", async () => {
    const answer = await ecrCall(berth.endpoint, {
      target: `${TARGET_PREFIX}DescribeRepositories`,
      unsigned: true,
    });
    expectErrorAnswer(answer, "MissingAuthenticationTokenException", 403);
  });

  it("refuses a body changed after signing", async () => {
    const body = JSON.stringify({ repositoryName: "signed/one" });
    const headers = signRequest({
      host: new URL(berth.endpoint).host,
      headers: { "content-type": CONTENT_TYPE, "x-amz-target": `${TARGET_PREFIX}CreateRepository` },
      body,
      key,
    });
    const swapped = JSON.stringify({ repositoryName: "signed/two" });
    const answer = await fetch(`${berth.endpoint}/`, { method: "POST", headers, body: swapped });
    expect(answer.status).toBe(403);
    expect(answer.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
  });

  it("refuses a body that does not match a signed x-amz-content-sha256", async () => {
    const body = JSON.stringify({ repositoryName: "signed/three" });
    const declared = createHash("sha256").update(body).digest("hex");
    const headers = signRequest({
      host: new URL(berth.endpoint).host,
      headers: {
        "content-type": CONTENT_TYPE,
        "x-amz-target": `${TARGET_PREFIX}CreateRepository`,
        "x-amz-content-sha256": declared,
      },
      body,
      key,
    });
    // The signature covers the declared hash, so the body is only protected if the hash is checked.
    const swapped = JSON.stringify({ repositoryName: "signed/four" });
    const refused = await fetch(`${berth.endpoint}/`, { method: "POST", headers, body: swapped });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
    const accepted = await fetch(`${berth.endpoint}/`, { method: "POST", headers, body });
    expect(accepted.status).toBe(200);
  });

  it("refuses a signature more than 15 minutes away from the server's clock", async () => {
    for (const offset of [-20 * 60_000, 16 * 60_000]) {
      const answer = await ecrCall(berth.endpoint, {
        target: `${TARGET_PREFIX}DescribeRepositories`,
        key,
        date: new Date(Date.now() + offset),
      });
      expectErrorAnswer(answer, "InvalidSignatureException", 403);
      expect(answer.json?.message).toMatch(/Signature expired/);
    }
    const withinSkew = await ecrCall(berth.endpoint, {
      target: `${TARGET_PREFIX}DescribeRepositories`,
      key,
      date: new Date(Date.now() - 14 * 60_000),
    });
    expect(withinSkew.status).toBe(200);
  });

  it("lets the SDK correct its clock from the Date header and retry (as against AWS)", async () => {
    const skew = -20 * 60_000;
    // Without retries the skewed request is refused...
    const once = berth.client({ credentials: key, systemClockOffset: skew, maxAttempts: 1 });
    await expectEcrError(once.send(new DescribeRepositoriesCommand({})), "InvalidSignatureException", 403);
    // ...and the SDK has already adopted the server's clock from the refusal's Date header.
    expect(Math.abs(await Promise.resolve(once.config.systemClockOffset))).toBeLessThan(5_000);
    // With its default retries the SDK succeeds on the second attempt.
    const retrying = berth.client({ credentials: key, systemClockOffset: skew, maxAttempts: 3 });
    const answer = await retrying.send(new DescribeRepositoriesCommand({}));
    expect(answer.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 2 });
  });
});

describe("serve() refuses to listen beyond loopback without credentials", () => {
  for (const host of ["0.0.0.0", "::", "192.0.2.10"]) {
    it(`refuses ${host}`, async () => {
      await expect(
        serve({
          host,
          port: 0,
          region: "us-east-1",
          registryId: "000000000000",
          storage: "memory",
          dataDir: "/nonexistent",
          logLevel: "silent",
          lenient: false,
        }),
      ).rejects.toThrow(
        new RegExp(`Refusing to listen on ${host.replace(/\./g, "\\.")} without credentials`),
      );
    });
  }
});
