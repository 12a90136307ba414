/**
 * The CNCF reference registry (distribution 2.8, Debian's `docker-registry`) as a real peer: started
 * with a config file in a temp dir, filesystem storage, on a free loopback port; stopped by its PID.
 * Missing is a failure with install instructions, never a skip.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DOCKER_REGISTRY = process.env.DOCKER_REGISTRY ?? "/usr/bin/docker-registry";

export interface RunningCncfRegistry {
  readonly port: number;
  readonly endpoint: string;
  /** The filesystem storage's root (`docker/registry/v2/blobs/sha256/<ab>/<hex>/data` holds a blob). */
  readonly storageRoot: string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const answers = async (endpoint: string) => {
  try {
    // Up when /v2/ answers: 200, or 401 asking for a token.
    const status = (await fetch(`${endpoint}/v2/`)).status;
    return status === 200 || status === 401;
  } catch {
    return false;
  }
};

/** Bearer token auth: the registry sends clients to `realm` and verifies tokens with the certificate. */
export interface CncfTokenAuth {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly certificateFile: string;
}

export async function startCncfRegistry(tokenAuth?: CncfTokenAuth): Promise<RunningCncfRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "berth-cncf-registry-"));
  const port = await freePort();
  const config = join(dir, "config.yml");
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "data")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      ...(tokenAuth === undefined
        ? []
        : [
            "auth:",
            "  token:",
            `    realm: ${tokenAuth.realm}`,
            `    service: ${tokenAuth.service}`,
            `    issuer: ${tokenAuth.issuer}`,
            `    rootcertbundle: ${tokenAuth.certificateFile}`,
          ]),
      "",
    ].join("\n"),
  );
  let child: ChildProcess;
  try {
    child = spawn(DOCKER_REGISTRY, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (error) =>
      reject(
        new Error(
          `The CNCF registry could not start (${error.message}): install it with \`apt-get install -y docker-registry\` (CI does) or set DOCKER_REGISTRY`,
        ),
      ),
    ),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await Promise.race([answers(endpoint), spawnError]))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`The CNCF registry did not come up on ${endpoint}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, endpoint, storageRoot: join(dir, "data"), stop };
}
