/** Running skopeo from the OCI suites: fail loudly when it is missing, isolate its config per run. */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const SKOPEO = process.env.SKOPEO ?? "skopeo";

const HOW_TO_INSTALL =
  "The skopeo suites need skopeo (1.9 or later) on PATH and found none: install it with `apt-get install -y skopeo` " +
  "(CI installs it), or point SKOPEO at the binary. These suites never skip.";

/** skopeo's version; throws with install instructions when it is not there. */
export async function requireSkopeo(): Promise<string> {
  try {
    const { stdout } = await run(SKOPEO, ["--version"]);
    return stdout.trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT" ? HOW_TO_INSTALL : `${HOW_TO_INSTALL} (running it failed: ${String(error)})`,
    );
  }
}

export interface Skopeo {
  /** Runs `skopeo --insecure-policy <args>`; rejects with skopeo's stderr in the message. */
  (args: ReadonlyArray<string>): Promise<{ stdout: string; stderr: string }>;
  /** A fresh scratch directory, removed by cleanup(). */
  scratch(prefix: string): Promise<string>;
  cleanup(): Promise<void>;
}

/**
 * A skopeo runner with a HOME of its own (no stray ~/.docker/config.json or auth.json is read or
 * written) and the insecure policy (no /etc/containers/policy.json needed).
 */
export async function createSkopeo(): Promise<Skopeo> {
  const home = await mkdtemp(join(tmpdir(), "berth-skopeo-home-"));
  const scratches: string[] = [home];
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_RUNTIME_DIR: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    REGISTRY_AUTH_FILE: join(home, "auth.json"),
    TMPDIR: tmpdir(),
  };
  const skopeo = (async (args: ReadonlyArray<string>) => {
    try {
      return await run(SKOPEO, ["--insecure-policy", ...args], {
        env,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      });
    } catch (error) {
      const failure = error as Error & { stderr?: string; stdout?: string };
      throw new Error(
        `skopeo ${args.join(" ")} failed:\n${failure.stderr ?? ""}${failure.stdout ?? ""}${failure.message}`,
      );
    }
  }) as Skopeo;
  skopeo.scratch = async (prefix) => {
    const dir = await mkdtemp(join(tmpdir(), `berth-${prefix}-`));
    scratches.push(dir);
    return dir;
  };
  skopeo.cleanup = async () => {
    await Promise.all(scratches.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  return skopeo;
}

/** `docker://127.0.0.1:<port>/<name>[:tag]` for a server on this port. */
export const dockerRef = (port: number, nameAndTag: string) => `docker://127.0.0.1:${port}/${nameAndTag}`;
