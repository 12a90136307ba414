/**
 * A data directory as Berth wrote it before SQLite: events through the Postgres adapter on PGlite in
 * `<dataDir>/pgdata`, blobs in `<dataDir>/blobs` (what `--storage embedded` opened until then), for
 * the tests of `berth migrate-data`.
 */
import { join } from "node:path";
import { createFilesystemBlobStore } from "@berth/adapter-filesystem";
import {
  type BerthDatabase,
  createPostgresEventStore,
  migrateToLatest,
  PGliteDialect,
} from "@berth/adapter-postgres";
import type { BlobStore, EventStore } from "@berth/engine";
import { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";

export async function openPgliteDataDir(
  dataDir: string,
): Promise<{ events: EventStore; blobs: BlobStore; close(): Promise<void> }> {
  const pglite = await PGlite.create({ dataDir: join(dataDir, "pgdata") });
  const db = new Kysely<BerthDatabase>({ dialect: new PGliteDialect({ pglite }) });
  await migrateToLatest(db);
  const events = createPostgresEventStore({ db });
  const blobs = createFilesystemBlobStore({ directory: join(dataDir, "blobs") });
  return {
    events,
    blobs,
    async close() {
      await Promise.all([events.close(), blobs.close()]);
      await db.destroy();
    },
  };
}
