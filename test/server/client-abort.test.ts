/**
 * A client that goes away mid-request (socket closed while its body is still arriving) is the
 * client's doing, not the server's failure: it is logged at info, never at error, on each front end.
 */
import { once } from "node:events";
import { type AddressInfo, connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import type { RegistryId } from "@berth/core";
import { createRegistry } from "@berth/engine";
import { type BerthServerOptions, createBerthServer, parseCredentials } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest, TARGET_PREFIX } from "./raw-ecr.js";

const ACCOUNT = "000000000000" as RegistryId;

type Entry = { readonly level: string; readonly fields: unknown; readonly message: unknown };

/** Every log line, with its level (pino's `level(object, message)` and `level(message)`). */
const recordingLogger = () => {
  const entries: Entry[] = [];
  const at =
    (level: string) =>
    (fields: unknown, message?: unknown): void => {
      entries.push({ level, fields, message });
    };
  const logger = {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    child: () => logger,
  };
  return { logger: logger as unknown as BerthServerOptions["logger"], entries };
};

/** Sends a request head and part of its declared body, then closes the socket. */
const abortMidBody = async (port: number, head: string) => {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.write(head);
  socket.write("x".repeat(1000));
  await sleep(100);
  socket.destroy();
};

describe("a client that aborts mid-request", () => {
  const { logger, entries } = recordingLogger();
  const server = createBerthServer({
    registry: createRegistry({
      events: createMemoryEventStore(),
      blobs: createMemoryBlobStore(),
      defaultRegistryId: ACCOUNT,
    }),
    logger,
    credentials: parseCredentials("", ACCOUNT),
    defaultAccountId: ACCOUNT,
    createOnPush: true,
  });
  let port = 0;

  beforeAll(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.close();
    await once(server, "close");
  });

  /** Waits until the server has logged about the aborted request. */
  const settled = async (count: number) => {
    for (let i = 0; i < 250 && entries.length <= count; i++) await sleep(20);
    await sleep(100);
  };

  it("is logged at info, not error, on the ECR API", async () => {
    const before = entries.length;
    const body = "x".repeat(100_000);
    const headers = signRequest({
      host: `127.0.0.1:${port}`,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${TARGET_PREFIX}ListImages` },
      body,
      key: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    await abortMidBody(
      port,
      `POST / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: ${body.length}\r\n${lines.join("")}\r\n`,
    );
    await settled(before);
    const logged = entries.slice(before);
    expect(logged.filter((e) => e.level === "error")).toEqual([]);
    expect(logged.some((e) => e.level === "info" && /client/i.test(String(e.message)))).toBe(true);
  });

  it("is logged at info, not error, on a /v2 blob upload", async () => {
    const started = await fetch(`http://127.0.0.1:${port}/v2/team/app/blobs/uploads/`, { method: "POST" });
    expect(started.status).toBe(202);
    const location = started.headers.get("location") ?? "";
    const before = entries.length;
    await abortMidBody(
      port,
      `PATCH ${location} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/octet-stream\r\ncontent-length: 100000\r\n\r\n`,
    );
    await settled(before);
    const logged = entries.slice(before);
    expect(logged.filter((e) => e.level === "error")).toEqual([]);
    expect(logged.some((e) => e.level === "info" && /client/i.test(String(e.message)))).toBe(true);
  });
});
