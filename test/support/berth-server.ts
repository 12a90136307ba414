import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECRClient, type ECRClientConfig } from "@aws-sdk/client-ecr";
import { type ServeOptions, serve } from "@berth/server";
import { acquirePostgres, type PostgresTestDatabase } from "./postgres.js";

export type BerthStorage = "memory" | "postgres" | "embedded";

/** A Berth server started in this process, on a free loopback port. */
export interface RunningBerth {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the endpoint SDK clients and the aws CLI talk to. */
  readonly endpoint: string;
  readonly storage: BerthStorage;
  /** The data directory of embedded storage, and of postgres storage's file blobs (removed on stop). */
  readonly dataDir: string;
  /** The Postgres schema the server works in (postgres storage only). */
  readonly database?: PostgresTestDatabase;
  /** An ECR client for this server: local-mode test credentials unless overridden, no retries. */
  client(config?: ECRClientConfig): ECRClient;
  /** Stops the server, closes its storage and drops its Postgres schema. */
  stop(): Promise<void>;
}

export interface StartBerthOptions
  extends Partial<Omit<ServeOptions, "storage" | "databaseUrl" | "databaseSchema">> {
  readonly storage: BerthStorage;
}

export const TEST_REGISTRY_ID = "000000000000";

/** An SDK client for a Berth in local mode at `endpoint` (any key signs; no retries to hide a failure). */
export const localEcrClient = (endpoint: string, config: ECRClientConfig = {}): ECRClient =>
  new ECRClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    ...config,
  });

/**
 * `serve()` in-process. Postgres storage runs in a fresh migrated schema of its own (acquirePostgres:
 * DATABASE_URL or a throwaway container); without either it throws, so Postgres suites never skip.
 */
export async function startBerth(options: StartBerthOptions): Promise<RunningBerth> {
  const { storage, ...overrides } = options;
  const database = storage === "postgres" ? await acquirePostgres() : undefined;
  // Embedded storage keeps its data in a directory of its own, removed on stop; so does postgres
  // storage, whose blobs are files in <dataDir>/blobs unless `blobs` says otherwise.
  const ownDir = storage !== "memory";
  const dataDir = ownDir ? await mkdtemp(join(tmpdir(), "berth-test-")) : tmpdir();
  let running: Awaited<ReturnType<typeof serve>>;
  try {
    running = await serve({
      host: "127.0.0.1",
      port: 0,
      region: "us-east-1",
      registryId: TEST_REGISTRY_ID,
      dataDir,
      logLevel: "silent",
      lenient: false,
      ...overrides,
      storage,
      ...(database === undefined
        ? {}
        : { databaseUrl: database.connectionString, databaseSchema: database.schema }),
    });
  } catch (error) {
    await database?.release();
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${running.port}`;
  const clients: ECRClient[] = [];
  let stopped: Promise<void> | undefined;
  return {
    port: running.port,
    endpoint,
    storage,
    dataDir,
    ...(database === undefined ? {} : { database }),
    client(config = {}) {
      const client = localEcrClient(endpoint, config);
      clients.push(client);
      return client;
    },
    stop() {
      stopped ??= (async () => {
        for (const client of clients) client.destroy();
        await running.stop();
        await database?.release();
        if (ownDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/**
 * `berth serve --storage embedded --data-dir <dataDir> --port 0`, in process, with an SDK client:
 * for the tests that stop a server and start another on the same data.
 */
export async function startEmbedded(dataDir: string, options: Partial<ServeOptions> = {}) {
  const running = await serve({
    host: "127.0.0.1",
    port: 0,
    region: "us-east-1",
    registryId: TEST_REGISTRY_ID,
    storage: "embedded",
    dataDir,
    logLevel: "silent",
    lenient: false,
    ...options,
  });
  const endpoint = `http://127.0.0.1:${running.port}`;
  const client = localEcrClient(endpoint);
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      await running.stop();
    },
  };
}
