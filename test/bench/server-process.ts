/**
 * A server in a process of its own (forked by bench-server.ts), so that client and server each get
 * a core, as in production: `berth` runs `serve()` on memory storage (or PostgreSQL); `bare` is a node:http server
 * that reads the body (hashing it on `/hash`) and answers a fixed small JSON: the ceiling of Node's
 * HTTP stack and of the client on this machine.
 * Reports `{ port }` over IPC once listening; stops when the parent disconnects.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import { serve } from "@berth/server";
import pg from "pg";

const mode = process.argv[2];
const send = (message: unknown) => process.send?.(message);

// Every statement any pg client of this process sends (the pool's, the listener's), counted for
// the parent on request: a count per command is the same on any machine.
let statementsSent = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statementsSent++;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;
process.on("message", (message: { ask?: string }) => {
  if (message.ask === "statementsSent") send({ statementsSent });
});

if (mode === "bare") {
  const answer = JSON.stringify({ ok: true });
  const server = createServer((request, response) => {
    // `/hash`: sha256 of the body as it arrives (the least a layer upload does); else just read it.
    const hash = request.url === "/hash" ? createHash("sha256") : undefined;
    request.on("data", (chunk: Buffer) => hash?.update(chunk));
    request.on("end", () => {
      hash?.digest();
      response.writeHead(200, {
        "content-type": "application/x-amz-json-1.1",
        "content-length": Buffer.byteLength(answer),
        date: new Date().toUTCString(),
      });
      response.end(answer);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  send({ port: typeof address === "object" && address !== null ? address.port : 0 });
  process.on("disconnect", () => {
    server.close();
    server.closeAllConnections();
  });
} else if (process.argv[4] === "postgres-file") {
  // `berth strict postgres-file <url> <schema> <blob directory>`: PostgreSQL events, file blobs.
  const { servePostgresWithFiles } = await import("./postgres-file-server.js");
  const running = await servePostgresWithFiles(
    process.argv[5] ?? "",
    process.argv[6] ?? "",
    process.argv[7] ?? "",
  );
  send({ port: running.port });
  process.on("disconnect", () => void running.stop().then(() => process.exit(0)));
} else {
  const running = await serve({
    host: "127.0.0.1",
    port: 0,
    region: "us-east-1",
    registryId: "000000000000",
    // `berth <lenient|strict> postgres <url> <schema>`: PostgreSQL storage, migrated into the schema.
    ...(process.argv[4] === "postgres"
      ? {
          storage: "postgres" as const,
          databaseUrl: process.argv[5] ?? "",
          databaseSchema: process.argv[6] ?? "",
          blobs: "postgres", // blobs in bytea, as these rows have always measured
        }
      : { storage: process.argv[4] === "embedded" ? ("embedded" as const) : ("memory" as const) }),
    // `berth <lenient|strict> embedded <data directory>`: the default storage, in that directory.
    dataDir: process.argv[4] === "embedded" ? (process.argv[5] ?? "") : ".berth-data",
    createOnPush: process.argv[4] === "embedded",
    logLevel: process.env.BENCH_SERVER_LOG_LEVEL ?? "info",
    lenient: process.argv[3] === "lenient",
  });
  send({ port: running.port });
  process.on("disconnect", () => {
    running.server.closeAllConnections();
    void running.stop().then(() => process.exit(0));
  });
}
