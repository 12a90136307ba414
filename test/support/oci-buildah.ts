/**
 * Running buildah and podman (Debian's packages, containers/storage and containers/image) from the
 * OCI suites: fail loudly when they are missing, and keep everything they read or write in a
 * directory of the run's own: storage (vfs driver, own root and runroot), registries.conf, an
 * insecure signature policy, the auth file and HOME. The machine's /etc/containers and
 * /var/lib/containers are never touched.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const BUILDAH = process.env.BUILDAH ?? "buildah";
export const PODMAN = process.env.PODMAN ?? "podman";

const HOW_TO_INSTALL = (tool: string) =>
  `The ${tool} suites need ${tool} on PATH and found none: install it with \`apt-get install -y ${tool}\` ` +
  `(CI installs it), or point ${tool.toUpperCase()} at the binary. These suites never skip.`;

/** The tool's version line; throws with install instructions when it is not there. */
export async function requireTool(tool: "buildah" | "podman"): Promise<string> {
  try {
    const { stdout } = await run(tool === "buildah" ? BUILDAH : PODMAN, ["--version"]);
    return stdout.trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT"
        ? HOW_TO_INSTALL(tool)
        : `${HOW_TO_INSTALL(tool)} (running it failed: ${String(error)})`,
    );
  }
}

export type ToolRun = (args: ReadonlyArray<string>) => Promise<{ stdout: string; stderr: string }>;

/** buildah and podman over one store of their own; `store(name)` opens another, empty one. */
export interface ContainerTools {
  readonly buildah: ToolRun;
  readonly podman: ToolRun;
  /** The run's directory (files for `buildah copy`, digest files). */
  readonly dir: string;
  /** Tools over a second, empty store in the same sandbox: a pull there fetches every byte. */
  store(name: string): Promise<Pick<ContainerTools, "buildah" | "podman">>;
  cleanup(): Promise<void>;
}

export async function createContainerTools(): Promise<ContainerTools> {
  const dir = await mkdtemp(join(tmpdir(), "berth-buildah-"));
  const home = join(dir, "home");
  await mkdir(home, { recursive: true });
  const file = (name: string, content: string) => writeFile(join(dir, name), content);
  await file("policy.json", JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
  await file("registries.conf", "unqualified-search-registries = []\n");
  // containers.conf: no events log, cgroup manager, runtime or network directory of the machine's.
  await file(
    "containers.conf",
    [
      "[engine]",
      'events_logger = "none"',
      'cgroup_manager = "cgroupfs"',
      `tmp_dir = "${join(dir, "libpod-tmp")}"`,
      "[network]",
      `network_config_dir = "${join(dir, "networks")}"`,
      "",
    ].join("\n"),
  );
  await writeFile(join(home, "auth.json"), "{}");
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_RUNTIME_DIR: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    REGISTRY_AUTH_FILE: join(home, "auth.json"),
    CONTAINERS_REGISTRIES_CONF: join(dir, "registries.conf"),
    CONTAINERS_POLICY_JSON: join(dir, "policy.json"),
    CONTAINERS_CONF: join(dir, "containers.conf"),
    TMPDIR: tmpdir(),
  };
  const runner =
    (binary: string, store: string): ToolRun =>
    async (args) => {
      const global = [
        "--root",
        join(store, "root"),
        "--runroot",
        join(store, "run"),
        "--storage-driver",
        "vfs",
      ];
      try {
        return await run(binary, [...global, ...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: 25_000 });
      } catch (error) {
        const failure = error as Error & { stderr?: string; stdout?: string };
        throw new Error(
          `${binary} ${args.join(" ")} failed:\n${failure.stderr ?? ""}${failure.stdout ?? ""}${failure.message}`,
        );
      }
    };
  const store = async (name: string) => {
    const path = join(dir, `store-${name}`);
    await mkdir(path, { recursive: true });
    return { buildah: runner(BUILDAH, path), podman: runner(PODMAN, path) };
  };
  const main = await store("main");
  return {
    ...main,
    dir,
    store,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** `docker://127.0.0.1:<port>/<name>[:tag]`, and the same without the transport (podman pull). */
export const registryRef = (port: number, nameAndTag: string) => `127.0.0.1:${port}/${nameAndTag}`;
