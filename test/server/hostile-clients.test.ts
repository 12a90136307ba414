/**
 * Hostile and slow clients cannot take the server's memory or hold its connections: a request
 * whose Authorization header cannot verify is answered before its body is read; the bytes of
 * bodies buffered at once are bounded (past the bound: ThrottlingException / 429, at once); a
 * connection silent past the idle timeout, or slow past the header timeout, is cut, while a slow
 * but steady upload is not. The memory test runs the server in a process of its own and reads its
 * peak resident memory from /proc.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_ECR_REQUEST_BYTES } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { buildEngine, startWorker, type WorkerProcess } from "../support/engine-process.js";
import { openRaw, type RawOutcome, sendBody } from "../support/raw-http.js";
import type { ServerWorkerLine } from "../support/server-worker.js";
import { amzDate, CONTENT_TYPE, TARGET_PREFIX } from "./raw-ecr.js";

const MiB = 1024 * 1024;

/** A request head with a well-formed SigV4 header whose signature is zeros: local mode takes it. */
const ecrHead = (
  port: number,
  options: { readonly accessKeyId?: string; readonly length?: number; readonly target?: string } = {},
) => {
  const date = amzDate(new Date());
  return [
    "POST / HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    `Content-Type: ${CONTENT_TYPE}`,
    `X-Amz-Target: ${TARGET_PREFIX}${options.target ?? "DescribeRepositories"}`,
    `X-Amz-Date: ${date}`,
    `Authorization: AWS4-HMAC-SHA256 Credential=${options.accessKeyId ?? "test"}/${date.slice(0, 8)}/us-east-1/ecr/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${"0".repeat(64)}`,
    options.length === undefined ? "Transfer-Encoding: chunked" : `Content-Length: ${options.length}`,
    "",
    "",
  ].join("\r\n");
};

const errorType = (outcome: RawOutcome) => outcome.headers["x-amzn-errortype"];

const memoryOf = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
};

describe("120 connections with bad signatures and 28 MB bodies, against a server process", () => {
  const INFLIGHT = 128 * MiB;
  let worker: WorkerProcess<ServerWorkerLine>;
  let server: ServerWorkerLine;
  let dataDir: string;

  beforeAll(async () => {
    await buildEngine(["packages/server"]);
    dataDir = await mkdtemp(join(tmpdir(), "berth-hostile-"));
    worker = await startWorker<ServerWorkerLine>("server-worker.ts", {
      BERTH_SERVER_WORKER_CONFIG: JSON.stringify({
        host: "127.0.0.1",
        port: 0,
        region: "us-east-1",
        registryId: "111111111111",
        storage: "memory",
        dataDir,
        logLevel: "silent",
        lenient: false,
        credentials: "AKIDKNOWN:known-secret",
        maxInflightBytes: INFLIGHT,
      }),
    });
    server = await worker.waitFor((line) => line.type === "listening", 60_000);
  }, 180_000);
  afterAll(async () => {
    worker?.kill("SIGTERM");
    await worker?.exited;
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("answers the unknown key before its body and keeps its memory within the in-flight bound", {
    timeout: 240_000,
  }, async () => {
    const idle = memoryOf(server.pid).rss;
    const size = MAX_ECR_REQUEST_BYTES;

    // Unknown key: refused from the headers. Half send no body at all, half stream theirs.
    const unknown = await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const connection = await openRaw(server.port);
        await connection.write(ecrHead(server.port, { accessKeyId: "AKIDNOBODY", length: size }), true);
        if (i % 2 === 1) void sendBody(connection, size);
        return { streamed: i % 2 === 1, outcome: await connection.outcome };
      }),
    );
    for (const { streamed, outcome } of unknown) {
      // A reset may overtake the answer to a client still writing; either way it was not waited for.
      if (!streamed || outcome.status !== undefined)
        expect(errorType(outcome)).toBe("UnrecognizedClientException");
      if (!streamed) expect(outcome.bodyBytesWritten).toBe(0);
      expect(outcome.bodyBytesWritten).toBeLessThan(size);
      expect(outcome.elapsedMs).toBeLessThan(30_000);
    }

    // A known key with a wrong signature is only found out after the body: the in-flight bound
    // lets a few bodies in, and refuses the rest at once.
    const known = await Promise.all(
      Array.from({ length: 120 }, async () => {
        const connection = await openRaw(server.port);
        await connection.write(ecrHead(server.port, { accessKeyId: "AKIDKNOWN", length: size }), true);
        void sendBody(connection, size);
        return connection.outcome;
      }),
    );
    const types = known.map((outcome) => errorType(outcome) ?? "closed");
    const counts = Object.fromEntries(
      [...new Set(types)].map((type) => [type, types.filter((t) => t === type).length]),
    );
    expect(counts.InvalidSignatureException ?? 0, JSON.stringify(counts)).toBeGreaterThan(0);
    expect(counts.InvalidSignatureException ?? 0, JSON.stringify(counts)).toBeLessThanOrEqual(
      Math.ceil(120 / 2),
    );
    expect(counts.ThrottlingException ?? 0, JSON.stringify(counts)).toBeGreaterThan(0);
    expect(
      Object.keys(counts).every((type) =>
        ["InvalidSignatureException", "ThrottlingException", "closed"].includes(type),
      ),
    ).toBe(true);

    const { peak } = memoryOf(server.pid);
    // Today's server buffered every body: 120 × 28 MB, over 3 GB. Now the bodies held are within
    // the bound (each in one buffer of its declared length), plus sockets and garbage not yet collected.
    console.log(
      `server RSS idle ${Math.round(idle / MiB)} MiB, peak ${Math.round(peak / MiB)} MiB; ${JSON.stringify(counts)}`,
    );
    expect(peak - idle).toBeLessThan(INFLIGHT + 192 * MiB);
  });
});

describe("timeouts: idle time counts, not total time", () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await startBerth({
      storage: "memory",
      createOnPush: true,
      idleTimeout: 1000,
      headerTimeout: 3000,
    });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("cuts a body that stops arriving, and a client that sends nothing", async () => {
    const stalled = await openRaw(berth.port);
    await stalled.write(ecrHead(berth.port, { length: 1000 }), true);
    await stalled.write("{ ");
    const silent = await openRaw(berth.port);
    const [body, nothing] = await Promise.all([stalled.outcome, silent.outcome]);
    for (const outcome of [body, nothing]) {
      expect(outcome.status).toBeUndefined();
      expect(outcome.elapsedMs).toBeGreaterThan(800);
      // Node's default would hold the first for 300 s and the second for ever.
      expect(outcome.elapsedMs).toBeLessThan(15_000);
    }
  });

  it("cuts headers that trickle in past the header timeout, though never idle", async () => {
    const connection = await openRaw(berth.port);
    const head = ecrHead(berth.port, { length: 2 });
    void (async () => {
      for (const byte of head) {
        if (connection.done()) return;
        await connection.write(byte, true);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    const outcome = await connection.outcome;
    expect(outcome.status === undefined || outcome.status === 408).toBe(true);
    expect(outcome.elapsedMs).toBeGreaterThan(2_500);
    expect(outcome.elapsedMs).toBeLessThan(20_000);
  });

  it("keeps a slow but steady upload: an ECR body and an OCI PATCH, each longer than the idle timeout", {
    timeout: 60_000,
  }, async () => {
    const json = `{${" ".repeat(4 * 1024)}}`;
    const ecr = await openRaw(berth.port);
    await ecr.write(ecrHead(berth.port, { length: json.length }), true);
    for (let i = 0; i < json.length; i += 512) {
      await ecr.write(json.slice(i, i + 512));
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const answer = await ecr.outcome;
    expect(answer.status).toBe(200);
    expect(answer.elapsedMs).toBeGreaterThan(2_000);

    const post = await fetch(`${berth.endpoint}/v2/slow/steady/blobs/uploads/`, { method: "POST" });
    expect(post.status).toBe(202);
    const location = new URL(post.headers.get("location")!, berth.endpoint);
    let sent = 0;
    const started = performance.now();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 6) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, 500));
        sent += 1;
        controller.enqueue(new Uint8Array(64 * 1024).fill(sent));
      },
    });
    const patch = await fetch(location, { method: "PATCH", body, duplex: "half" } as RequestInit);
    expect(patch.status).toBe(202);
    expect(patch.headers.get("range")).toBe(`0-${6 * 64 * 1024 - 1}`);
    expect(performance.now() - started).toBeGreaterThan(2_500);
  });
});

describe("the in-flight bound answers at once past it", () => {
  const INFLIGHT = 6 * MiB;
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory", createOnPush: true, maxInflightBytes: INFLIGHT });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("refuses an ECR body with ThrottlingException and a manifest with 429 while a large body holds the bound", async () => {
    // A client holding 5 MiB of the 6: it sent its head and one MiB, and goes slowly.
    const hog = await openRaw(berth.port);
    await hog.write(ecrHead(berth.port, { length: 5 * MiB }), true);
    await hog.write(Buffer.alloc(MiB, 0x20));
    await new Promise((resolve) => setTimeout(resolve, 300));

    const ecr = await openRaw(berth.port);
    await ecr.write(ecrHead(berth.port, { length: 2 * MiB }), true);
    const throttled = await ecr.outcome;
    expect(throttled.status).toBe(400);
    expect(errorType(throttled)).toBe("ThrottlingException");
    expect(JSON.parse(throttled.body)).toMatchObject({ __type: "ThrottlingException" });
    expect(throttled.headers["retry-after"]).toBe("1");
    expect(throttled.bodyBytesWritten).toBe(0);

    const manifest = await openRaw(berth.port);
    await manifest.write(
      [
        "PUT /v2/bound/app/manifests/v1 HTTP/1.1",
        `Host: 127.0.0.1:${berth.port}`,
        "Content-Type: application/vnd.oci.image.manifest.v1+json",
        `Content-Length: ${2 * MiB}`,
        "",
        "",
      ].join("\r\n"),
      true,
    );
    const refused = await manifest.outcome;
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).errors[0].code).toBe("TOOMANYREQUESTS");
    expect(refused.headers["retry-after"]).toBe("1");

    // Small requests still fit; once the large body is done, the bound is free again.
    const small = await openRaw(berth.port);
    await small.write(ecrHead(berth.port, { length: 2 }), true);
    await small.write("{}");
    expect((await small.outcome).status).toBe(200);
    await sendBody(hog, 4 * MiB);
    expect(errorType(await hog.outcome)).toBe("SerializationException");
    const later = await openRaw(berth.port);
    const padded = `{${" ".repeat(2 * MiB - 2)}}`;
    await later.write(ecrHead(berth.port, { length: padded.length }), true);
    await later.write(padded);
    expect((await later.outcome).status).toBe(200);
  });
});
