import type { RecordedEvent } from "@berth/engine";
import type BetterSqlite3 from "better-sqlite3";
import { prepareEventStatements } from "./event-statements.js";

/**
 * Copies events recorded by another store into a migrated SQLite database as they are: same
 * positions, streams, versions and recording times, in one transaction (all or nothing). For moving
 * a log between stores; the positions must be higher than any already in the database.
 */
export const importRecordedEvents = (
  database: BetterSqlite3.Database,
  events: ReadonlyArray<RecordedEvent>,
): void => {
  const { insertRecorded } = prepareEventStatements(database);
  database
    .transaction(() => {
      for (const event of events) {
        insertRecorded.run(
          event.globalPosition,
          event.streamName,
          event.streamVersion,
          event.type,
          JSON.stringify(event.data) ?? "null",
          event.recordedAt,
        );
      }
    })
    .immediate();
};
