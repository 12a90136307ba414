import type { RecordedEvent } from "@berth/engine";
import type BetterSqlite3 from "better-sqlite3";

/** A row of `events` as better-sqlite3 reads it with safe integers: every integer is a bigint. */
interface EventRow {
  readonly global_position: bigint;
  readonly stream_name: string;
  readonly stream_version: bigint;
  readonly type: string;
  readonly data: string;
  readonly recorded_at: bigint;
}

/** A row as the port's RecordedEvent: JSON text parsed, versions and times as numbers, here and only here. */
export const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  streamName: row.stream_name,
  streamVersion: Number(row.stream_version),
  globalPosition: row.global_position,
  type: row.type,
  data: JSON.parse(row.data),
  recordedAt: Number(row.recorded_at),
});

const COLUMNS = "global_position, stream_name, stream_version, type, data, recorded_at";

export interface EventStatements {
  /** The stream's last event: its version and position (no row: an empty stream). */
  readonly stream: BetterSqlite3.Statement<[string], { version: bigint; last_position: bigint }>;
  readonly insert: BetterSqlite3.Statement<[string, number, string, string, number]>;
  readonly insertRecorded: BetterSqlite3.Statement<[bigint, string, number, string, string, number]>;
  readonly readStream: BetterSqlite3.Statement<[string, number, number], EventRow>;
  readonly readAll: BetterSqlite3.Statement<[bigint, number], EventRow>;
  /** The manifest of the stream's last ImagePushed of a digest, by migration 0002's partial index. */
  readonly imageManifest: BetterSqlite3.Statement<[string, string], { manifest: string }>;
  /** The log's last position (0 when empty): the rowid B-tree's last entry, one seek. */
  readonly logPosition: BetterSqlite3.Statement<[], { position: bigint | null }>;
}

/**
 * The store's statements, prepared once per database. Readers use safe integers, so positions
 * come back as bigints however large they grow; a limit of -1 is SQLite's "no limit".
 */
export const prepareEventStatements = (database: BetterSqlite3.Database): EventStatements => {
  const stream = database
    .prepare<[string], { version: bigint; last_position: bigint }>(
      // One seek at the end of the stream's index entries, which hold the row id (the position).
      `select stream_version as version, global_position as last_position
       from events where stream_name = ? order by stream_version desc limit 1`,
    )
    .safeIntegers(true);
  const insert = database
    .prepare<[string, number, string, string, number]>(
      "insert into events (stream_name, stream_version, type, data, recorded_at) values (?, ?, ?, ?, ?)",
    )
    .safeIntegers(true); // lastInsertRowid as a bigint
  const insertRecorded = database.prepare<[bigint, string, number, string, string, number]>(
    `insert into events (${COLUMNS}) values (?, ?, ?, ?, ?, ?)`,
  );
  const readStream = database
    .prepare<[string, number, number], EventRow>(
      `select ${COLUMNS} from events where stream_name = ? and stream_version > ?
       order by stream_version limit ?`,
    )
    .safeIntegers(true);
  const readAll = database
    .prepare<[bigint, number], EventRow>(
      `select ${COLUMNS} from events where global_position > ? order by global_position limit ?`,
    )
    .safeIntegers(true);
  // Only the manifest leaves SQLite: the rest of the event (its blob lists…) is never parsed.
  const imageManifest = database.prepare<[string, string], { manifest: string }>(
    `select json_extract(data, '$.imageManifest') as manifest from events
       where type = 'ImagePushed' and stream_name = ? and json_extract(data, '$.imageDigest') = ?
       order by global_position desc limit 1`,
  );
  const logPosition = database
    .prepare<[], { position: bigint | null }>("select max(global_position) as position from events")
    .safeIntegers(true);
  return { stream, insert, insertRecorded, readStream, readAll, imageManifest, logPosition };
};
