/**
 * The CNCF reference registry (distribution 2.8, Debian's `docker-registry`) as the peer of the
 * /v2 byte benchmarks: filesystem storage in a temporary directory, on a free loopback port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchServer } from "./bench-server.js";

export const DISTRIBUTION_BINARY = process.env.BENCH_DISTRIBUTION ?? "/usr/bin/docker-registry";

/** A port nothing listens on right now (the registry takes it a moment later). */
const freePort = async (): Promise<number> => {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const address = probe.address();
  probe.close();
  await once(probe, "close");
  if (typeof address !== "object" || address === null) throw new Error("no free port");
  return address.port;
};

/** Polls `GET /v2/` until the registry answers (it prints nothing reliable when it is ready). */
const waitUntilListening = async (endpoint: string, child: ChildProcess): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${endpoint}/v2/`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("docker-registry did not answer GET /v2/ within 10 s");
};

/** Starts distribution with filesystem storage under `directory` (a temporary one by default). */
export async function startDistribution(directory = tmpdir()): Promise<BenchServer> {
  if (!existsSync(DISTRIBUTION_BINARY)) {
    throw new Error(
      `${DISTRIBUTION_BINARY} is missing: the v2bytes section measures beside distribution 2.8 (apt-get install docker-registry, or set BENCH_DISTRIBUTION)`,
    );
  }
  const home = mkdtempSync(join(directory, "bench-distribution-"));
  const port = await freePort();
  const config = join(home, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(home, "data")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  const child = spawn(DISTRIBUTION_BINARY, ["serve", config], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = once(child, "exit");
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(endpoint, child);
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint,
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timeout = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timeout);
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
