/**
 * The embedded store's lock file: a second live server is kept out, and a server restarted after a
 * crash always gets in, even when its pid is the crashed one's (pid 1 again in a container) or the
 * crashed server's pid now belongs to an unrelated process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { acquireLockFile, LockFileHeldError } from "@berth/adapter-filesystem";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildEngine } from "../support/engine-process.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const builtAdapter = join(root, "adapters/filesystem/dist/index.js");

// The holder process runs the built adapter: build it, so dist/ matches the sources under test.
beforeAll(() => buildEngine(["adapters/filesystem"]), 120_000);

let dir: string;
let lockPath: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-lock-"));
  lockPath = join(dir, "berth.lock");
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/** A live process that sleeps (and holds nothing). */
const sleeper = async () => {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.push(child);
  await once(child, "spawn");
  return child;
};

/** Another process that takes the lock with the real code (the built adapter) and keeps it. */
const holder = async () => {
  const script = `const { acquireLockFile } = await import(${JSON.stringify(builtAdapter)});
await acquireLockFile(${JSON.stringify(lockPath)}); console.log("held"); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  expect(line.toString().trim()).toBe("held");
  return child;
};

describe("the embedded store's lock file", () => {
  it("keeps a second server out while the first lives, and lets one in once it has crashed", async () => {
    const first = await holder();
    const refused = await acquireLockFile(lockPath).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LockFileHeldError);
    expect((refused as Error).message).toContain(`running process ${first.pid}`);

    first.kill("SIGKILL");
    await once(first, "exit");
    const lock = await acquireLockFile(lockPath);
    expect((await readFile(lockPath, "utf8")).split(/\s/)[0]).toBe(String(process.pid));
    await lock.release();
  });

  it("keeps a second opening in the same process out while the first holds the lock", async () => {
    const lock = await acquireLockFile(lockPath);
    await expect(acquireLockFile(lockPath)).rejects.toThrow(LockFileHeldError);
    await lock.release();
    await (await acquireLockFile(lockPath)).release();
  });

  it("takes over a lock naming its own pid: a previous incarnation that crashed (pid 1 again)", async () => {
    await writeFile(lockPath, `${process.pid}\n`);
    const lock = await acquireLockFile(lockPath);
    await lock.release();
    await writeFile(lockPath, `${process.pid} 1\n`);
    await (await acquireLockFile(lockPath)).release();
  });

  it("takes over a lock whose pid now belongs to another process that started later", async () => {
    const unrelated = await sleeper();
    await writeFile(lockPath, `${unrelated.pid} 1\n`); // recorded start time: not this process's
    const lock = await acquireLockFile(lockPath);
    await lock.release();
  });

  it("refuses a lock that names a live pid without a start time to compare (an older lock)", async () => {
    const other = await sleeper();
    await writeFile(lockPath, `${other.pid}\n`);
    await expect(acquireLockFile(lockPath)).rejects.toThrow(LockFileHeldError);
  });
});
