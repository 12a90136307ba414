/**
 * Berth on PostgreSQL events and filesystem blobs, composed here from the two adapters (the way an
 * embedder would), so the benchmark does not depend on a `berth serve` flag for the pairing.
 */
import { once } from "node:events";
import { createFilesystemBlobStore } from "@berth/adapter-filesystem";
import { createPostgresStorage } from "@berth/adapter-postgres";
import type { RegistryId } from "@berth/core";
import { createRegistry } from "@berth/engine";
import { type BerthServerOptions, createBerthServer } from "@berth/server";

/** Errors to stderr, the rest dropped (serve() logs through pino; the bench has no pino of its own). */
export const quietLogger = {
  error: (fields: unknown, message?: string) =>
    console.error(message ?? fields, message === undefined ? "" : fields),
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => quietLogger,
} as unknown as BerthServerOptions["logger"];

export async function servePostgresWithFiles(url: string, schema: string, blobDirectory: string) {
  const postgres = await createPostgresStorage({ connectionString: url, schema });
  const blobs = createFilesystemBlobStore({ directory: blobDirectory });
  const registry = createRegistry({ events: postgres.events, blobs });
  const server = createBerthServer({
    registry,
    logger: quietLogger,
    credentials: new Map(),
    defaultAccountId: "000000000000" as RegistryId,
    createOnPush: true,
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    server,
    async stop() {
      server.close();
      server.closeAllConnections();
      await postgres.close();
    },
  };
}
