/**
 * Input a hostile client can send, answered as a client fault (4xx), never a 5xx, without blocking
 * the server: JSON nested thousands deep (in a member the operation declares or one it does not),
 * a 25 MB member the operation does not know made of two million keys, and request targets that
 * start with `//`, which a URL parser reads as a host.
 */
import { request as httpRequest } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { CreateRepositoryCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { ecrCall, TARGET_PREFIX } from "./raw-ecr.js";

const nested = (depth: number) => `${"[".repeat(depth)}"x"${"]".repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** A raw request: node sends the path as given (fetch would normalise `//x/`). */
const raw = (port: number, method: string, path: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const call = httpRequest({ host: "127.0.0.1", port, method, path, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    call.on("error", reject);
    call.end();
  });

describe("hostile input", () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory" });
    await berth.client().send(new CreateRepositoryCommand({ repositoryName: "team/app" }));
  });
  afterAll(() => berth?.stop());

  it("JSON nested past the depth limit is a 400 SerializationException, in any member", async () => {
    for (const body of [
      `{"repositoryName":${nested(3_000)}}`,
      `{"repositoryName":${nested(200_000)}}`,
      `{"imageIds":[${nestedObjects(100_000)}]}`,
      `{"unknownMember":${nested(200_000)}}`,
      nested(200_000),
    ]) {
      const answer = await ecrCall(berth.endpoint, { target: `${TARGET_PREFIX}BatchGetImage`, body });
      expect(answer.status, answer.text.slice(0, 200)).toBe(400);
      expect(answer.json?.__type).toBe("SerializationException");
      expect(answer.json?.message).toMatch(/deeper than \d+ levels/);
    }
  });

  it("a value nested within the limit is refused in ECR's words, the value cut short", async () => {
    const answer = await ecrCall(berth.endpoint, {
      target: `${TARGET_PREFIX}DescribeRepositories`,
      body: `{"repositoryNames":[${nested(90)}]}`,
    });
    expect(answer.status).toBe(400);
    expect(answer.json?.__type).toBe("InvalidParameterException");
    expect(answer.json?.message).toContain(`Value '${"[".repeat(90)}"x"]]]`);
  });

  it("unstorable text in a declared member is named by its path; in an unknown member it is ignored", async () => {
    const refused = await ecrCall(berth.endpoint, {
      target: `${TARGET_PREFIX}TagResource`,
      body: JSON.stringify({
        resourceArn: "arn:aws:ecr:us-east-1:000000000000:repository/team/app",
        tags: [
          { Key: "a", Value: "b" },
          { Key: "c", Value: "d\u0000" },
        ],
      }),
    });
    expect(refused.status).toBe(400);
    expect(refused.json?.message).toMatch(/^Invalid parameter at 'tags\.2\.member\.Value'/);
    const ignored = await ecrCall(berth.endpoint, {
      target: `${TARGET_PREFIX}DescribeRepositories`,
      body: JSON.stringify({ unknown: { "\u0000": "\ud800" } }),
    });
    expect(ignored.status, ignored.text).toBe(200);
  });

  it("a 25 MB unknown member of two million keys is skipped without blocking the server", async () => {
    const keys = Array.from({ length: 2_000_000 }, (_, i) => `"k${i}":1`).join(",");
    const body = `{"repositoryNames":["team/app"],"unknownMember":{${keys}}}`;
    expect(body.length).toBeGreaterThan(24_000_000);
    // Signed before the watch starts: hashing 25 MB here is the client's cost, not the server's.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    const call = ecrCall(berth.endpoint, { target: `${TARGET_PREFIX}DescribeRepositories`, body });
    delay.enable();
    const answer = await call;
    delay.disable();
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect((answer.json?.repositories as unknown[] | undefined)?.length).toBe(1);
    // Generous: the whole exchange (server and client share this process) blocked ~6.5 s before.
    expect(delay.max / 1e6).toBeLessThan(2_000);
  });

  it("a target starting with // is a path, never a host: 404, never a 500 or another route", async () => {
    const host = `127.0.0.1:${berth.port}`;
    for (const [method, path] of [
      ["GET", `//${host}/v2/`],
      ["GET", "//x/v2/team/app/tags/list"],
      ["POST", "//x/"],
      ["POST", "//"],
      ["GET", "//:0x/"],
      ["GET", "//[::1/v2/"],
      ["GET", "//x/_berth/layers/anything"],
    ] as const) {
      const answer = await raw(berth.port, method, path);
      expect(answer.status, `${method} ${path}: ${answer.body}`).toBe(404);
    }
    expect((await raw(berth.port, "GET", "/v2/team/app/tags/list")).status).toBe(200);
  });

  it("an absolute-form target is served by its path; a target that is no path is a 400", async () => {
    const absolute = await raw(berth.port, "GET", "http://elsewhere.example/v2/team/app/tags/list");
    expect(absolute.status, absolute.body).toBe(200);
    expect((await raw(berth.port, "GET", "http://elsewhere.example//x/v2/")).status).toBe(404);
    for (const [method, path] of [
      ["OPTIONS", "*"],
      ["GET", "v2/"],
    ] as const) {
      const answer = await raw(berth.port, method, path);
      expect(answer.status, `${method} ${path}: ${answer.body}`).toBe(400);
    }
  });
});
