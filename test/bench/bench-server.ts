/** Starting and stopping the server processes of server-process.ts. */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { BERTH_NODE_FLAGS } from "@berth/server";

export interface BenchServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The server's process, for CPU accounting (/proc/<pid>/stat). */
  readonly pid?: number;
  /** Statements the server's PostgreSQL clients have sent so far (a Berth on PostgreSQL only). */
  statementsSent?(): Promise<number>;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL("./server-process.js", import.meta.url));

/**
 * Forks a server: `berth` (serve() on memory storage, or on PostgreSQL in `postgres.schema`; lenient
 * or not) or `bare`. Every server's Node runs with the flags `berth` runs with (BERTH_NODE_FLAGS),
 * and with any extra ones (say `--cpu-prof`) from BENCH_SERVER_NODE_OPTIONS.
 */
export async function startServer(
  mode: "berth" | "berth-lenient" | "bare",
  postgres?: { readonly url: string; readonly schema: string },
): Promise<BenchServer> {
  const storage = postgres === undefined ? [] : ["postgres", postgres.url, postgres.schema];
  const args =
    mode === "bare" ? ["bare"] : ["berth", mode === "berth-lenient" ? "lenient" : "strict", ...storage];
  return forkServer(mode, args);
}

/** Where a Berth of the byte benchmarks keeps its data (it creates /v2 repositories on push). */
export type BerthStorage =
  | { readonly kind: "embedded"; readonly dataDir: string }
  | {
      readonly kind: "postgres-file";
      readonly url: string;
      readonly schema: string;
      readonly blobDir: string;
    };

/** Forks `serve()` on embedded storage, or PostgreSQL events beside filesystem blobs. */
export const startBerthOn = (storage: BerthStorage): Promise<BenchServer> =>
  forkServer(
    `berth ${storage.kind}`,
    storage.kind === "embedded"
      ? ["berth", "strict", "embedded", storage.dataDir]
      : ["berth", "strict", "postgres-file", storage.url, storage.schema, storage.blobDir],
  );

/** Node's flags for a server: those `berth` runs with, then any from BENCH_SERVER_NODE_OPTIONS. */
export const serverNodeFlags = (): string[] => [
  ...BERTH_NODE_FLAGS,
  ...(process.env.BENCH_SERVER_NODE_OPTIONS ?? "").split(" ").filter((flag) => flag !== ""),
];

async function forkServer(mode: string, args: ReadonlyArray<string>): Promise<BenchServer> {
  const execArgv = serverNodeFlags();
  const child: ChildProcess = fork(script, [...args], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    execArgv,
  });
  const exited = once(child, "exit");
  const [message] = (await Promise.race([
    once(child, "message"),
    exited.then(([code]) => {
      throw new Error(`the ${mode} server exited with ${code} before listening`);
    }),
  ])) as [{ port: number }];
  return {
    endpoint: `http://127.0.0.1:${message.port}`,
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    async statementsSent() {
      child.send({ ask: "statementsSent" });
      const [answer] = (await once(child, "message")) as [{ statementsSent: number }];
      return answer.statementsSent;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.disconnect();
      const timeout = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
