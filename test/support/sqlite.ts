import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteDatabase, type SqliteDatabase } from "@berth/adapter-sqlite";

/** One migrated SQLite file (WAL) in a temporary directory for a test file, opened on first use. */
export function lazySqlite(): { get(): Promise<SqliteDatabase>; release(): Promise<void> } {
  let opened: Promise<{ directory: string; database: SqliteDatabase }> | undefined;
  return {
    async get() {
      opened ??= (async () => {
        const directory = await mkdtemp(join(tmpdir(), "berth-sqlite-"));
        return { directory, database: await openSqliteDatabase(join(directory, "berth.sqlite")) };
      })();
      return (await opened).database;
    },
    async release() {
      const current = await opened?.catch(() => undefined);
      if (current === undefined) return;
      current.database.close();
      await rm(current.directory, { recursive: true, force: true });
    },
  };
}
