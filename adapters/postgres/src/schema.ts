import type { ColumnType, Generated, GeneratedAlways } from "kysely";

/** Where the tables live unless the caller picks another schema. */
export const DEFAULT_SCHEMA = "berth";

/**
 * int8: pg hands it over as a string (it may outgrow 2^53); the stores convert at the row boundary.
 * Kysely compares columns with their select type, so filters pass int8 values as strings too.
 */
export type Int8 = ColumnType<string, bigint | number | string, bigint | number | string>;

/** bytea: pg reads it as a Buffer and takes any Uint8Array. */
export type Bytea = ColumnType<Buffer, Uint8Array, never>;

export interface EventsTable {
  global_position: GeneratedAlways<string>;
  stream_name: string;
  stream_version: number;
  type: string;
  /** jsonb: pg parses it when reading; appends send JSON text. */
  data: ColumnType<unknown, string, never>;
  recorded_at: Generated<Date>;
}

export interface UploadsTable {
  upload_id: string;
  size: ColumnType<string, bigint | number | string | undefined, bigint | number | string>;
  created_at: Generated<Date>;
}

/**
 * One append's attempt: its chunk rows are written outside any transaction and count as the
 * upload's bytes only once `adopted` (see append-attempt.ts).
 */
export interface UploadAttemptsTable {
  attempt_id: string;
  upload_id: string;
  start_offset: Int8;
  adopted: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface UploadChunksTable {
  upload_id: string;
  attempt_id: string;
  byte_offset: Int8;
  bytes: Bytea;
}

export interface BlobsTable {
  digest: string;
  size: Int8;
}

export interface BlobChunksTable {
  digest: string;
  byte_offset: Int8;
  bytes: Bytea;
}

/** One state snapshot of the engine (see postgres-snapshot-store.ts). */
export interface SnapshotsTable {
  position: Int8;
  size: Int8;
  chunk_count: number;
}

export interface SnapshotChunksTable {
  position: Int8;
  seq: number;
  bytes: Bytea;
}

/** Berth's tables, all in one schema (see `schema` in the store options). */
export interface BerthDatabase {
  events: EventsTable;
  uploads: UploadsTable;
  upload_attempts: UploadAttemptsTable;
  upload_chunks: UploadChunksTable;
  blobs: BlobsTable;
  blob_chunks: BlobChunksTable;
  snapshots: SnapshotsTable;
  snapshot_chunks: SnapshotChunksTable;
}
