/**
 * The benchmarks' HTTP client: node:http over keep-alive connections, bodies written as given.
 * (fetch copies every request body into a web stream first, which on 20 MiB parts costs the client
 * as much as the server spends hashing: the figures would measure the client.)
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";

// Idle sockets are dropped before the server's 5 s keep-alive timeout would close them under a request.
const agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: 3_000 });

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export const request = (
  url: string | URL,
  options: {
    readonly method: string;
    readonly headers?: Record<string, string>;
    readonly body?: string | Uint8Array;
  },
): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const body = options.body ?? "";
    const outgoing = httpRequest(
      url,
      {
        method: options.method,
        agent,
        headers: {
          ...options.headers,
          "content-length": String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });

/** Lets the process exit: keep-alive sockets would hold it open. */
export const closeConnections = () => agent.destroy();
