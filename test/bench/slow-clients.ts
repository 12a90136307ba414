/**
 * Slow clients, as a hostile or badly connected client would be: each opens a loopback connection
 * to a registry and sends a few bytes per tick, so the server holds its request open for as long as
 * they go on. Three kinds: /v2 PATCH bodies (each in an upload session of its own), ECR JSON bodies,
 * and request headers that never end. Bounded in count; `close()` ends them all.
 * Shared by the slow-client test (test/server) and the benchmark beside it.
 */
import { connect, type Socket } from "node:net";

export interface SlowClientCounts {
  readonly patches: number;
  readonly ecrBodies: number;
  readonly headers: number;
}

export interface SlowClientOptions extends SlowClientCounts {
  /** The repository the PATCH clients upload into (it must exist, or the server must create on push). */
  readonly repository: string;
  /** Milliseconds between two sends (default 100). */
  readonly tickMs?: number;
  /** Bytes each client sends per tick (default 4). */
  readonly bytesPerTick?: number;
}

export interface SlowClients {
  /** How many connections are still open (the server has closed none of them). */
  open(): number;
  /** Bytes sent so far, over all clients. */
  sent(): number;
  close(): void;
}

const ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories";

/** Opens an upload session; its Location is where the PATCH goes. */
const uploadLocation = async (endpoint: string, repository: string): Promise<string> => {
  const response = await fetch(new URL(`/v2/${repository}/blobs/uploads/`, endpoint), { method: "POST" });
  const location = response.headers.get("location");
  if (response.status !== 202 || location === null)
    throw new Error(`opening an upload answered ${response.status}: ${await response.text()}`);
  return new URL(location, endpoint).pathname + new URL(location, endpoint).search;
};

/** A request head that announces a body of `length` bytes the client will trickle. */
const headWithBody = (method: string, path: string, length: number, headers: Record<string, string>) =>
  [
    `${method} ${path} HTTP/1.1`,
    "host: 127.0.0.1",
    `content-length: ${length}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    "",
    "",
  ].join("\r\n");

const open = (port: number, first: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.off("error", reject);
      socket.on("error", () => {}); // the server may answer or cut: the client only counts it closed
      socket.write(first);
      resolve(socket);
    });
    socket.once("error", reject);
  });

export const openSlowClients = async (endpoint: string, options: SlowClientOptions): Promise<SlowClients> => {
  const port = Number(new URL(endpoint).port);
  const tickMs = options.tickMs ?? 100;
  const piece = "x".repeat(options.bytesPerTick ?? 4);
  const sockets: Socket[] = [];
  let sent = 0;
  try {
    for (let i = 0; i < options.patches; i++) {
      const location = await uploadLocation(endpoint, options.repository);
      const head = headWithBody("PATCH", location, 64 * 1024 * 1024, {
        "content-type": "application/octet-stream",
      });
      sockets.push(await open(port, head));
    }
    for (let i = 0; i < options.ecrBodies; i++) {
      // Signed in form (local mode checks the header, not the signature, before the body): the
      // server then reads the body, as it would a real client's.
      const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
      const head = headWithBody("POST", "/", 1024 * 1024, {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": ECR_TARGET,
        "x-amz-date": date,
        authorization: `AWS4-HMAC-SHA256 Credential=test/${date.slice(0, 8)}/us-east-1/ecr/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${"0".repeat(64)}`,
      });
      sockets.push(await open(port, `${head}{"repositoryNames": [`));
    }
    for (let i = 0; i < options.headers; i++) {
      sockets.push(await open(port, "GET /v2/ HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: "));
    }
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    throw error;
  }
  const timer = setInterval(() => {
    for (const socket of sockets) {
      if (socket.destroyed || socket.writableEnded) continue;
      socket.write(piece);
      sent += piece.length;
    }
  }, tickMs);
  return {
    open: () => sockets.filter((socket) => !socket.destroyed && !socket.readableEnded).length,
    sent: () => sent,
    close() {
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
    },
  };
};
