/**
 * Berth past one machine, on one machine: N `serve()` processes (each a node process of its own, on
 * the built `dist/`, see engine-process.ts) on one PostgreSQL schema, behind one round-robin address
 * (round-robin-proxy.ts). The processes are started together, as a rolling deploy or an autoscaler
 * would, and share what a deployment must share: the database, the blob location and `--secret`.
 */
import type { ServeOptions } from "@berth/server";
import { buildEngine, startWorker, type WorkerProcess } from "./engine-process.js";
import { acquirePostgres, type PostgresTestDatabase } from "./postgres.js";
import { type RoundRobinProxy, startRoundRobinProxy } from "./round-robin-proxy.js";
import type { ServerWorkerLine } from "./server-worker.js";

export interface BerthCluster {
  /** The one address clients use. */
  readonly proxy: RoundRobinProxy;
  /** Each process's own port and pid, in the proxy's backend order. */
  readonly processes: ReadonlyArray<ServerWorkerLine>;
  readonly database: PostgresTestDatabase;
  /** Stops every process (SIGTERM, by PID), the proxy, and drops the schema. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  readonly size: number;
  /** Options every process gets (besides storage, database and the proxy's public URL). */
  readonly serve: Partial<ServeOptions>;
}

export async function startBerthCluster(options: StartClusterOptions): Promise<BerthCluster> {
  await buildEngine(["packages/server"]);
  const database = await acquirePostgres();
  const proxy = await startRoundRobinProxy();
  const workers: WorkerProcess<ServerWorkerLine>[] = [];
  const stop = async () => {
    for (const worker of workers) worker.kill("SIGTERM");
    await Promise.all(workers.map((worker) => worker.exited));
    await proxy.close();
    await database.release();
  };
  try {
    const config: ServeOptions = {
      host: "127.0.0.1",
      port: 0,
      region: "us-east-1",
      registryId: "000000000000",
      dataDir: "/nonexistent",
      logLevel: "silent",
      lenient: false,
      ...options.serve,
      storage: "postgres",
      databaseUrl: database.connectionString,
      databaseSchema: database.schema,
      publicUrl: proxy.endpoint,
    };
    const started = Array.from({ length: options.size }, () =>
      startWorker<ServerWorkerLine>("server-worker.ts", {
        BERTH_SERVER_WORKER_CONFIG: JSON.stringify(config),
      }),
    );
    for (const worker of started) workers.push(await worker);
    const processes = await Promise.all(
      workers.map((worker) => worker.waitFor((line) => line.type === "listening", 60_000)),
    );
    proxy.setBackends(processes.map((line) => line.port));
    return { proxy, processes, database, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
