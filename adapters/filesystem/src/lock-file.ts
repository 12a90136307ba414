import { readFile, unlink, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ignoreMissingFile, isExistingFile, isMissingFile } from "./file-errors.js";

/** Another live process holds the lock file (or its content names no process). */
export class LockFileHeldError extends Error {
  override readonly name = "LockFileHeldError";
  constructor(
    readonly path: string,
    /** The holder's pid, undefined when the file does not hold one. */
    readonly pid: number | undefined,
  ) {
    super(
      pid === undefined
        ? `${path} exists but names no process: delete it if nothing uses this directory`
        : `${path} is held by the running process ${pid}: another server uses this directory`,
    );
  }
}

export interface LockFile {
  /** Removes the lock file; releasing twice is harmless. */
  release(): Promise<void>;
}

/**
 * Who holds a lock: a pid, and where the system tells it (Linux's /proc), the process's start time
 * in clock ticks since boot. A pid alone is not an identity: after a crash in a container the
 * restarted server is often pid 1 again, and any pid may be reused by an unrelated process.
 */
interface Holder {
  readonly pid: number;
  readonly startTime: string | undefined;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
const startTimeOf = async (pid: number): Promise<string | undefined> => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
};

/** Creates the lock naming this process; false when it already exists. */
const createExclusively = async (path: string): Promise<boolean> => {
  const startTime = await startTimeOf(process.pid);
  try {
    await writeFile(path, `${process.pid}${startTime === undefined ? "" : ` ${startTime}`}\n`, {
      flag: "wx",
    });
    return true;
  } catch (error) {
    if (isExistingFile(error)) return false;
    throw error;
  }
};

/** The holder the lock file names, undefined when it names none, "gone" when the file is not there. */
const lockHolder = async (path: string): Promise<Holder | undefined | "gone"> => {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (isMissingFile(error)) return "gone";
    throw error;
  }
  const [pidText = "", startTime] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, startTime } : undefined;
};

/** The lock files this process holds now: our own pid in one of them is not a previous incarnation. */
const heldHere = new Set<string>();

/** Signal 0 checks that a process exists without touching it; EPERM means it exists as another user. */
const pidExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return typeof error === "object" && error !== null && "code" in error && error.code === "EPERM";
  }
};

/**
 * Whether the holder is alive. Our own pid in a lock this process does not hold is a previous
 * incarnation (after a crash, a container's server is often pid 1 again); a live pid whose start
 * time differs from the one recorded is another process that reused the pid.
 */
const holderIsAlive = async (path: string, holder: Holder): Promise<boolean> => {
  if (holder.pid === process.pid) return heldHere.has(path);
  if (!pidExists(holder.pid)) return false;
  if (holder.startTime === undefined) return true;
  const startTime = await startTimeOf(holder.pid);
  return startTime === undefined || startTime === holder.startTime;
};

/**
 * Takes the lock file at `path` for this process: created exclusively, naming this process. A lock
 * left by a process that is gone (it crashed, even if its pid is ours now or another's) is stale
 * and taken over once; a lock of a live process is a LockFileHeldError. Not airtight: two processes
 * taking over the same stale lock at the same instant could both succeed (one removes the lock the
 * other just made); that needs two starts racing on a directory whose previous owner crashed.
 */
export const acquireLockFile = async (lockPath: string): Promise<LockFile> => {
  const path = resolve(lockPath);
  let takenOver = false;
  while (!(await createExclusively(path))) {
    const holder = await lockHolder(path);
    if (holder === "gone") continue; // released between our create and our read: try again
    if (takenOver || holder === undefined || (await holderIsAlive(path, holder))) {
      throw new LockFileHeldError(path, holder?.pid);
    }
    takenOver = true;
    await unlink(path).catch(ignoreMissingFile);
  }
  heldHere.add(path);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      await unlink(path).catch(ignoreMissingFile);
    },
  };
};
