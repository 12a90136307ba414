/**
 * One address in front of several Berth processes, as a load balancer puts it: every request (not
 * every connection) goes to the next backend in turn, so the requests of one upload session (POST,
 * PATCH, PUT) and of one ECR layer upload land on different processes. Records which backend served
 * each request, so a suite can show that they did.
 */
import { Agent, createServer, request as forward, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedExchange {
  readonly method: string;
  readonly url: string;
  /** Index of the backend (in the order given to `setBackends`) that answered. */
  readonly backend: number;
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
}

export interface RoundRobinProxy {
  readonly port: number;
  readonly endpoint: string;
  /** The backends' ports, in turn from the next request on. */
  setBackends(ports: ReadonlyArray<number>): void;
  readonly exchanges: ProxiedExchange[];
  /** Requests the proxy could not deliver (a backend refused or reset the connection). */
  readonly failures: string[];
  /** How many requests each backend answered (index → count), since the start or `exchanges.length = 0`. */
  requestsPerBackend(): ReadonlyArray<number>;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  let backends: ReadonlyArray<number> = [];
  let next = 0;
  const exchanges: ProxiedExchange[] = [];
  const failures: string[] = [];
  // A connection per request to the backends (nginx's default upstream): a pooled connection that
  // the backend closes while idle would fail a request whose streamed body cannot be sent again.
  const agent = new Agent({ keepAlive: false });
  const server = createServer((incoming, outgoing) => {
    if (backends.length === 0) {
      outgoing.writeHead(503).end("no backends");
      return;
    }
    const backend = next++ % backends.length;
    const upstream = forward(
      {
        host: "127.0.0.1",
        port: backends[backend],
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
        agent,
      },
      (answer) => {
        exchanges.push({
          method: incoming.method ?? "",
          url: incoming.url ?? "",
          backend,
          status: answer.statusCode ?? 0,
          headers: answer.headers,
        });
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on("error", (error) => {
      if (outgoing.headersSent) outgoing.destroy();
      else outgoing.writeHead(502).end(`backend ${backend} failed: ${error.message}`);
      failures.push(`${incoming.method} ${incoming.url} on backend ${backend}: ${error.message}`);
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    setBackends(ports) {
      backends = [...ports];
    },
    exchanges,
    failures,
    requestsPerBackend: () => backends.map((_, i) => exchanges.filter((e) => e.backend === i).length),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
