/**
 * `berth migrate-data [--data-dir DIR]` (the command line is migrate-data-command.ts): moves the
 * event log of a data directory written by Berth before SQLite (PGlite in `<dataDir>/pgdata`) into
 * `<dataDir>/berth.sqlite`, every event at its position, in its stream at its version, with its
 * recording time. The blobs stay where they are (`<dataDir>/blobs`, the same files either way). The
 * new file is written beside its final name and renamed into place once checked, then `pgdata` is
 * renamed to `pgdata.migrated`: a migration cut short before that leaves the directory as it was.
 * PGlite is imported here only, so it costs `berth serve` nothing.
 */
import { rename, rm } from "node:fs/promises";
import {
  type BerthDatabase,
  createPostgresEventStore,
  migrateToLatest,
  PGliteDialect,
} from "@berth/adapter-postgres";
import { importRecordedEvents, openSqliteDatabase, type SqliteDatabase } from "@berth/adapter-sqlite";
import { Kysely } from "kysely";
import { embeddedPaths, lockDataDir, pathExists } from "./embedded-storage.js";

export interface MigrateDataOptions {
  readonly dataDir: string;
}

/** Events read from PGlite and written to SQLite per transaction. */
const BATCH = 1000;

/** Copies PGlite's log into `target` batch by batch, in position order; answers how many events and the last position. */
const copyEventLog = async (pgdata: string, target: SqliteDatabase) => {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = new Kysely<BerthDatabase>({
    dialect: new PGliteDialect({ pglite: await PGlite.create({ dataDir: pgdata }) }),
  });
  try {
    await migrateToLatest(db); // what the older Berth did on every start: a no-op on its directories
    const source = createPostgresEventStore({ db });
    let copied = 0;
    let last = 0n;
    for (;;) {
      const batch = await source.readAll({ after: last, maxCount: BATCH });
      if (batch.length === 0) break;
      importRecordedEvents(target, batch);
      copied += batch.length;
      last = batch.at(-1)!.globalPosition;
    }
    await source.close();
    return { copied, last };
  } finally {
    await db.destroy(); // closes PGlite
  }
};

/** What SQLite holds after the copy must be what was read: the count and the last position. */
const checkCopy = (target: SqliteDatabase, expected: { copied: number; last: bigint }) => {
  const row = target
    .prepare("select count(*) as events, coalesce(max(global_position), 0) as last from events")
    .safeIntegers(true)
    .get() as { events: bigint; last: bigint };
  if (row.events !== BigInt(expected.copied) || row.last !== expected.last)
    throw new Error(
      `The copy holds ${row.events} events up to position ${row.last}; PGlite gave ${expected.copied} up to ${expected.last}`,
    );
};

/** A name beside `path` that is not taken yet: `path`, else `path-2`, `path-3`… */
const freeName = async (path: string): Promise<string> => {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? path : `${path}-${n}`;
    if (!(await pathExists(candidate))) return candidate;
  }
};

export const migrateData = async (
  options: MigrateDataOptions,
  print: (line: string) => void,
): Promise<void> => {
  const paths = embeddedPaths(options.dataDir);
  if (!(await pathExists(paths.pgdata))) {
    print(`${paths.directory} has no pgdata: nothing to migrate`);
    return;
  }
  if (await pathExists(paths.sqlite))
    throw new Error(
      `${paths.sqlite} already exists: this directory was migrated (or used by a newer Berth); move berth.sqlite aside to migrate pgdata again`,
    );
  const lock = await lockDataDir(paths.directory);
  try {
    const partial = `${paths.sqlite}.migrating`;
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`]) await rm(leftover, { force: true });
    const target = await openSqliteDatabase(partial);
    let copy: { copied: number; last: bigint };
    try {
      copy = await copyEventLog(paths.pgdata, target);
      checkCopy(target, copy);
      target.pragma("journal_mode = DELETE"); // folds the WAL into the file: one file to rename
    } finally {
      target.close();
    }
    await rename(partial, paths.sqlite);
    const aside = await freeName(`${paths.pgdata}.migrated`);
    await rename(paths.pgdata, aside);
    print(
      `copied ${copy.copied} events (positions up to ${copy.last}) from ${paths.pgdata} into ${paths.sqlite}`,
    );
    print(
      `moved ${paths.pgdata} to ${aside} (delete it once the registry looks right); blobs stay in ${paths.blobs}`,
    );
  } finally {
    await lock.release();
  }
};
