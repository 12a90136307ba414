/**
 * Sending hostile HTTP requests to a server on loopback, each within a time bound: over a few
 * keep-alive connections (node's client) when node can send them, as raw bytes on a connection of
 * their own when it cannot (bad methods, header bytes, framing), or cut short mid-body.
 */
import { Agent, request as httpRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";

export interface HostileRequest {
  readonly method: string;
  /** The request target as sent, e.g. `/v2/` or `//x/v2/`. */
  readonly target: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array;
  /** Send the head and part of the body, then close the connection (a truncated upload). */
  readonly truncate?: boolean;
  /** Raw bytes sent as they are, instead of method/target/headers/body. */
  readonly raw?: Uint8Array;
}

export type Outcome =
  | { readonly kind: "answered"; readonly status: number; readonly body: string }
  /** The server closed the connection without an answer (a request it could not parse, a cut one). */
  | { readonly kind: "closed"; readonly reason?: string }
  | { readonly kind: "hung" };

const BODY_KEPT = 2048;

/** One request through node's client, on the pool's keep-alive connections. */
const viaAgent = (agent: Agent, port: number, r: HostileRequest, boundMs: number): Promise<Outcome> =>
  new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const call = httpRequest({
      host: "127.0.0.1",
      port,
      agent,
      method: r.method,
      path: r.target,
      // As an array, so that repeated and odd-cased names go out as given.
      headers: framed(r, port).flat() as string[],
      setHost: false,
    });
    const timer = setTimeout(() => {
      settle({ kind: "hung" });
      call.destroy();
    }, boundMs);
    call.on("response", (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on("data", (chunk: Buffer) => {
        if (kept < BODY_KEPT) chunks.push(chunk);
        kept += chunk.length;
      });
      const done = () =>
        settle({
          kind: "answered",
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8").slice(0, BODY_KEPT),
        });
      response.on("end", done);
      response.on("error", done);
      response.on("close", done);
    });
    // A CONNECT's (or an upgrade's) answer comes as an event of its own, with the socket.
    for (const event of ["connect", "upgrade"] as const) {
      call.on(event, (response: IncomingMessage, socket: Duplex) => {
        socket.destroy();
        settle({ kind: "answered", status: response.statusCode ?? 0, body: "" });
      });
    }
    call.on("error", (error: NodeJS.ErrnoException) =>
      settle({ kind: "closed", reason: `${error.code ?? ""} ${error.message}` }),
    );
    try {
      if (r.truncate === true) {
        call.flushHeaders();
        call.write(r.body.subarray(0, Math.floor(r.body.length / 2)));
        setTimeout(() => {
          call.destroy();
          settle({ kind: "closed" });
        }, 5);
      } else call.end(r.body);
    } catch (error) {
      clearTimeout(timer);
      settled = true;
      reject(error);
    }
  });

/** Raw bytes on a connection of their own, half-closed after: the server answers or closes. */
const viaSocket = (port: number, bytes: Uint8Array, boundMs: number): Promise<Outcome> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: "hung" }), boundMs);
    socket.on("connect", () => socket.end(bytes));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      settle(
        status === null ? { kind: "closed" } : { kind: "answered", status: Number(status[1]), body: text },
      );
    });
  });

const has = (headers: HostileRequest["headers"], wanted: string) =>
  headers.some(([name]) => name.toLowerCase() === wanted);

/**
 * The headers with a Host and the body's Content-Length added when absent: node's client frames a
 * GET, DELETE or OPTIONS body with neither, and the server would read that body as the next request.
 */
const framed = (r: HostileRequest, port: number): HostileRequest["headers"] => [
  ...(has(r.headers, "host") ? [] : [["host", `127.0.0.1:${port}`] as const]),
  ...r.headers,
  ...(has(r.headers, "content-length") || has(r.headers, "transfer-encoding")
    ? []
    : [["content-length", String(r.body.length)] as const]),
];

/** The request as bytes on the wire (for what node's client refuses to send). */
export const rawBytes = (r: HostileRequest, port: number): Uint8Array => {
  if (r.raw !== undefined) return r.raw;
  const head = `${r.method} ${r.target} HTTP/1.1\r\n${framed(r, port)
    .map(([n, v]) => `${n}: ${v}\r\n`)
    .join("")}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), r.body]);
};

export interface HostilePool {
  send(r: HostileRequest): Promise<Outcome>;
  close(): void;
}

/** `size` keep-alive connections to a loopback server; every request answered within `boundMs`. */
export const hostilePool = (port: number, size: number, boundMs: number): HostilePool => {
  const agent = new Agent({ keepAlive: true, maxSockets: size });
  return {
    send: async (r) => {
      if (r.raw !== undefined) return viaSocket(port, r.raw, boundMs);
      try {
        return await viaAgent(agent, port, r, boundMs);
      } catch {
        // Node's client refuses to send it (a header byte, a method token): send the bytes raw.
        return viaSocket(port, rawBytes(r, port), boundMs);
      }
    },
    close: () => agent.destroy(),
  };
};

/** A request, short enough to print in a failure message. */
export const describeRequest = (r: HostileRequest): string => {
  if (r.raw !== undefined)
    return `raw ${JSON.stringify(Buffer.from(r.raw).toString("latin1").slice(0, 300))}`;
  const body = Buffer.from(r.body).toString("utf8");
  return `${r.method} ${r.target.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 300)} ${r.truncate === true ? "(truncated) " : ""}${body.length} bytes: ${JSON.stringify(body.slice(0, 300))}`;
};
