/**
 * A Berth server in a process of its own (see engine-process.ts, which runs this file with plain
 * node against the built `dist/`), so that a test can measure the server's memory apart from its
 * own. Serves `BERTH_SERVER_WORKER_CONFIG` (ServeOptions as JSON) and prints one JSON line once it
 * listens: its port and pid. Stops on SIGTERM.
 *
 * Only type-erasable TypeScript here: the file is transpiled, not type-checked, before it runs.
 */
import { type ServeOptions, serve } from "@berth/server";

export type ServerWorkerLine = { readonly type: "listening"; readonly port: number; readonly pid: number };

const workerConfig = process.env.BERTH_SERVER_WORKER_CONFIG;
if (workerConfig !== undefined) {
  const running = await serve(JSON.parse(workerConfig) as ServeOptions);
  process.once("SIGTERM", () => void running.stop("SIGTERM").then(() => process.exit(0)));
  process.stdout.write(`${JSON.stringify({ type: "listening", port: running.port, pid: process.pid })}\n`);
}
