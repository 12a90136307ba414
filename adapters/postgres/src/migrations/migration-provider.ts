import type { Migration, MigrationProvider } from "kysely";
import { createEventLog } from "./0001-create-event-log.js";
import { createBlobStore } from "./0002-create-blob-store.js";
import { stageUploadAppends } from "./0003-stage-upload-appends.js";
import { appendInOneCall } from "./0004-append-in-one-call.js";
import { uploadStepsInOneCall } from "./0005-upload-steps-in-one-call.js";
import { createSnapshots } from "./0006-create-snapshots.js";
import { indexImageManifests } from "./0007-index-image-manifests.js";
import { appendChecksLogEndByIndex } from "./0008-append-checks-log-end-by-index.js";
import { jointUploadSteps } from "./0009-joint-upload-steps.js";
import { notifyNamesEventTypes } from "./0010-notify-names-event-types.js";
import { appendLittleUnderTheLock } from "./0011-append-little-under-the-lock.js";

/**
 * Berth's migrations for the tables in `schema`, in the order their names sort. Listed in code:
 * nothing scans the file system. A function of the schema because a plpgsql body must name it.
 */
export const berthMigrations = (schema: string): Readonly<Record<string, Migration>> => ({
  "0001_create_event_log": createEventLog,
  "0002_create_blob_store": createBlobStore,
  "0003_stage_upload_appends": stageUploadAppends,
  "0004_append_in_one_call": appendInOneCall(schema),
  "0005_upload_steps_in_one_call": uploadStepsInOneCall(schema),
  "0006_create_snapshots": createSnapshots,
  "0007_index_image_manifests": indexImageManifests,
  "0008_append_checks_log_end_by_index": appendChecksLogEndByIndex(schema),
  "0009_joint_upload_steps": jointUploadSteps(schema),
  "0010_notify_names_event_types": notifyNamesEventTypes(schema),
  "0011_append_little_under_the_lock": appendLittleUnderTheLock(schema),
});

/** The provider kysely's Migrator takes, for the tables in `schema`. */
export const berthMigrationProvider = (schema: string): MigrationProvider => ({
  getMigrations: async () => ({ ...berthMigrations(schema) }),
});
