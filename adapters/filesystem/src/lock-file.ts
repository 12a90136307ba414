import { readFile, unlink, writeFile } from "node:fs/promises";
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
        : `${path} is held by the running process ${pid}`,
    );
  }
}

export interface LockFile {
  /** Removes the lock file; releasing twice is harmless. */
  release(): Promise<void>;
}

/** Creates the lock holding our pid; false when it already exists. */
const createExclusively = async (path: string): Promise<boolean> => {
  try {
    await writeFile(path, `${process.pid}\n`, { flag: "wx" });
    return true;
  } catch (error) {
    if (isExistingFile(error)) return false;
    throw error;
  }
};

/** The pid in the lock file, undefined when it holds none, "gone" when the file is not there. */
const lockHolder = async (path: string): Promise<number | undefined | "gone"> => {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (isMissingFile(error)) return "gone";
    throw error;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
};

/** Signal 0 checks that a process exists without touching it; EPERM means it exists as another user. */
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return typeof error === "object" && error !== null && "code" in error && error.code === "EPERM";
  }
};

/**
 * Takes the lock file at `path` for this process: created exclusively, holding our pid. A lock left
 * by a process that is gone (it crashed) is stale and taken over once; a lock of a running process
 * is a LockFileHeldError. Not airtight: two processes taking over the same stale lock at the same
 * instant could both succeed (one removes the lock the other just made); that needs two starts
 * racing on a directory whose previous owner crashed.
 */
export const acquireLockFile = async (path: string): Promise<LockFile> => {
  let takenOver = false;
  while (!(await createExclusively(path))) {
    const holder = await lockHolder(path);
    if (holder === "gone") continue; // released between our create and our read: try again
    if (takenOver || holder === undefined || isRunning(holder)) throw new LockFileHeldError(path, holder);
    takenOver = true;
    await unlink(path).catch(ignoreMissingFile);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await unlink(path).catch(ignoreMissingFile);
    },
  };
};
