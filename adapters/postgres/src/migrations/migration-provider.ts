import type { Migration, MigrationProvider } from "kysely";
import { createEventLog } from "./0001-create-event-log.js";
import { createBlobStore } from "./0002-create-blob-store.js";
import { stageUploadAppends } from "./0003-stage-upload-appends.js";
import { createSnapshots } from "./0004-create-snapshots.js";

/** Berth's migrations, in the order their names sort. Listed in code: nothing scans the file system. */
export const berthMigrations: Readonly<Record<string, Migration>> = {
  "0001_create_event_log": createEventLog,
  "0002_create_blob_store": createBlobStore,
  "0003_stage_upload_appends": stageUploadAppends,
  "0004_create_snapshots": createSnapshots,
};

export const berthMigrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...berthMigrations }),
};
