/**
 * `--storage embedded`: everything under one data directory, nothing to install. Events go to
 * SQLite in `<dataDir>/berth.sqlite`, blobs are files in `<dataDir>/blobs`, and `<dataDir>/berth.lock`
 * keeps a second process out: the blob store's upload locks belong to one process.
 *
 * Berth before SQLite kept the events in PGlite under `<dataDir>/pgdata`: such a directory is refused
 * with the command that moves its events over (`berth migrate-data`, migrate-data-command.ts).
 */
import { access, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  acquireLockFile,
  createFilesystemBlobStore,
  type LockFile,
  LockFileHeldError,
} from "@berth/adapter-filesystem";
import { openSqliteEventStore } from "@berth/adapter-sqlite";
import type { EventStore } from "@berth/engine";
import type { Storage } from "./storage.js";

/** Where the embedded storage keeps things inside its data directory. */
export const embeddedPaths = (dataDir: string) => {
  const directory = resolve(dataDir);
  return {
    directory,
    sqlite: join(directory, "berth.sqlite"),
    blobs: join(directory, "blobs"),
    lock: join(directory, "berth.lock"),
    /** The PGlite data directory of Berth before SQLite. */
    pgdata: join(directory, "pgdata"),
  };
};

export const pathExists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Takes the data directory's lock file, or explains who holds it. */
export const lockDataDir = async (directory: string): Promise<LockFile> => {
  await mkdir(directory, { recursive: true });
  return acquireLockFile(join(directory, "berth.lock")).catch((error: unknown) => {
    if (!(error instanceof LockFileHeldError)) throw error;
    const advice = "stop that berth or choose another --data-dir";
    throw new Error(`${directory} is in use (${error.message}): ${advice}`, { cause: error });
  });
};

/**
 * Refuses a data directory whose events are still in PGlite. Not migrated on the fly: the move loads
 * PGlite (seconds and most of a gigabyte, what SQLite saves on every start) and renames the user's
 * data, a step worth taking knowingly, after a backup if they want one.
 */
const refuseUnmigrated = async (dataDir: string): Promise<void> => {
  const paths = embeddedPaths(dataDir);
  if (!(await pathExists(paths.pgdata)) || (await pathExists(paths.sqlite))) return;
  throw new Error(
    `${paths.directory} holds the event log of an older Berth (PGlite, in ${paths.pgdata}): ` +
      `run \`berth migrate-data --data-dir ${dataDir}\` once to copy it into berth.sqlite, then start again`,
  );
};

export const openEmbeddedStorage = async (dataDir: string): Promise<Storage> => {
  const paths = embeddedPaths(dataDir);
  const lock = await lockDataDir(paths.directory);
  let events: EventStore;
  try {
    await refuseUnmigrated(dataDir);
    // The directory is this process's (the lock file): SQLite may hold its locks for good.
    events = await openSqliteEventStore({ path: paths.sqlite, exclusive: true });
  } catch (error) {
    await lock.release();
    throw error;
  }
  const blobs = createFilesystemBlobStore({ directory: paths.blobs });
  let closing: Promise<void> | undefined;
  return {
    events,
    blobs,
    description: `embedded (SQLite + files) in ${paths.directory}`,
    close() {
      closing ??= (async () => {
        await Promise.all([events.close(), blobs.close()]); // closes the SQLite file
        await lock.release();
      })();
      return closing;
    },
  };
};
