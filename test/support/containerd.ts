/**
 * A containerd daemon of the test's own (Debian's package): root, state, gRPC and ttrpc sockets in a
 * temporary directory, the CRI and the snapshotters this machine cannot run disabled, so nothing of
 * the machine's containerd is read or touched; and `ctr` against its socket. Stopped by its PID.
 * containerd needs root (as on these machines); missing binaries fail with install instructions.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const CONTAINERD = process.env.CONTAINERD ?? "containerd";
export const CTR = process.env.CTR ?? "ctr";

const HOW_TO_INSTALL =
  "The containerd suites need containerd and ctr on PATH and found none: install them with " +
  "`apt-get install -y containerd` (CI installs it), or point CONTAINERD and CTR at the binaries. " +
  "These suites never skip.";

export async function requireContainerd(): Promise<string> {
  try {
    await run(CTR, ["--version"]);
    return (await run(CONTAINERD, ["--version"])).stdout.trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT" ? HOW_TO_INSTALL : `${HOW_TO_INSTALL} (running it failed: ${String(error)})`,
    );
  }
}

export interface Containerd {
  readonly pid: number;
  readonly dir: string;
  /** `ctr --address <socket> <args>`; rejects with ctr's output and the daemon's log tail. */
  ctr(args: ReadonlyArray<string>): Promise<{ stdout: string; stderr: string }>;
  /** A blob of the content store, as bytes (`ctr content get`). */
  content(namespace: string, digest: string): Promise<Buffer>;
  /** SIGTERM, then SIGKILL after 10 s; removes the directory. */
  stop(): Promise<void>;
}

const config = (dir: string) => `version = 2
root = "${join(dir, "root")}"
state = "${join(dir, "state")}"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs",
]
[grpc]
  address = "${join(dir, "containerd.sock")}"
[ttrpc]
  address = "${join(dir, "containerd.sock.ttrpc")}"
[debug]
  address = ""
[metrics]
  address = ""
`;

export async function startContainerd(): Promise<Containerd> {
  const dir = await mkdtemp(join(tmpdir(), "berth-containerd-"));
  const socket = join(dir, "containerd.sock");
  await writeFile(join(dir, "config.toml"), config(dir));
  const daemon: ChildProcess = spawn(CONTAINERD, ["--config", join(dir, "config.toml")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  daemon.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    log = (log + chunk).slice(-20_000);
  });
  const exited = once(daemon, "exit");
  const ctr = async (args: ReadonlyArray<string>) => {
    try {
      return await run(CTR, ["--address", socket, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 25_000 });
    } catch (error) {
      throw failed(args, error);
    }
  };
  const content = async (namespace: string, digest: string) => {
    const args = ["--namespace", namespace, "content", "get", digest];
    try {
      const { stdout } = await run(CTR, ["--address", socket, ...args], {
        encoding: "buffer",
        maxBuffer: 64 * 1024 * 1024,
        timeout: 25_000,
      });
      return stdout;
    } catch (error) {
      throw failed(args, error);
    }
  };
  const failed = (args: ReadonlyArray<string>, error: unknown) => {
    const failure = error as Error & { stderr?: string | Buffer };
    return new Error(
      `ctr ${args.join(" ")} failed:\n${String(failure.stderr ?? "")}${failure.message}\n` +
        `containerd log (tail):\n${log.slice(-3000)}`,
    );
  };
  const stop = async () => {
    if (daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill("SIGTERM");
      const killer = setTimeout(() => daemon.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Ready once the socket answers `ctr version`.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (daemon.exitCode !== null) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`containerd exited (code ${daemon.exitCode}) before serving:\n${log.slice(-3000)}`);
    }
    const ready = await access(socket)
      .then(() => run(CTR, ["--address", socket, "version"], { timeout: 5_000 }))
      .then(
        () => true,
        () => false,
      );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`containerd did not serve within 15 s:\n${log.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (daemon.pid === undefined) throw new Error("containerd has no pid");
  return { pid: daemon.pid, dir, ctr, content, stop };
}
