import type BetterSqlite3 from "better-sqlite3";

/** One step of the schema: SQL run once, in order, in the transaction that records it. */
export interface SqliteMigration {
  readonly name: string;
  readonly up: string;
}

/**
 * The SQLite store's migrations, listed in code (nothing scans the file system). The schema's
 * version is SQLite's own `user_version` header field: the number of migrations applied.
 *
 * The global log is one table. `integer primary key` makes the position the row id: a new row gets
 * the highest position plus one. No row of `events` is ever deleted, so no position is handed out
 * twice; AUTOINCREMENT would guard against that too at the cost of one more page written per commit
 * (its sqlite_sequence row). The unique key is also the index of readStream and of a stream's
 * version. Data is JSON text; recorded_at is epoch milliseconds.
 */
export const sqliteMigrations: ReadonlyArray<SqliteMigration> = [
  {
    name: "0001_create_event_log",
    up: `create table events (
      global_position integer primary key,
      stream_name text not null,
      stream_version integer not null check (stream_version > 0),
      type text not null,
      data text not null,
      recorded_at integer not null,
      constraint events_stream_name_stream_version_key unique (stream_name, stream_version)
    )`,
  },
  {
    // readImageManifest's index: the registry keeps no manifest text in memory (see the port).
    name: "0002_index_image_manifests",
    up: `create index events_image_manifest_idx on events (stream_name, json_extract(data, '$.imageDigest'))
      where type = 'ImagePushed'`,
  },
];

/**
 * Applies the migrations the database has not seen, all in one IMMEDIATE transaction with the new
 * `user_version`, and answers their names. A database from a newer Berth (a higher version) is
 * refused rather than written to.
 */
export const migrateSqliteToLatest = (database: BetterSqlite3.Database): ReadonlyArray<string> => {
  const latest = sqliteMigrations.length;
  return database
    .transaction(() => {
      const version = database.pragma("user_version", { simple: true }) as number;
      if (version > latest)
        throw new Error(
          `${database.name} is at schema version ${version}, newer than this Berth's ${latest}: use a newer Berth`,
        );
      const pending = sqliteMigrations.slice(version);
      for (const migration of pending) {
        try {
          database.exec(migration.up);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`Berth's SQLite migration ${migration.name} failed: ${reason}`, { cause: error });
        }
      }
      if (pending.length > 0) database.pragma(`user_version = ${latest}`);
      return pending.map((migration) => migration.name);
    })
    .immediate();
};
