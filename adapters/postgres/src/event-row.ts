import type { RecordedEvent } from "@berth/engine";
import type { Selectable } from "kysely";
import type { EventsTable } from "./schema.js";

/** A row of `events` as the port's RecordedEvent: int8 positions become bigints here, and only here. */
export const toRecordedEvent = (row: Selectable<EventsTable>): RecordedEvent => ({
  streamName: row.stream_name,
  streamVersion: row.stream_version,
  globalPosition: BigInt(row.global_position),
  type: row.type,
  data: row.data,
  recordedAt: row.recorded_at.getTime(),
});
