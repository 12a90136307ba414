import type { EventToAppend, ExpectedStreamVersion } from "@berth/engine";
import { type RawBuilder, sql } from "kysely";

export interface AppendStatementInput {
  readonly schema: string;
  readonly channel: string;
  readonly streamName: string;
  readonly events: ReadonlyArray<EventToAppend>;
  readonly expected: ExpectedStreamVersion | undefined;
}

export interface AppendRow {
  /** The stream's version before this statement. */
  readonly version: number;
  readonly satisfied: boolean;
  /** int8 as text: the last appended position, else the stream's last position (null: empty stream). */
  readonly last_position: string | null;
}

const expectation = (expected: ExpectedStreamVersion | undefined): RawBuilder<boolean> => {
  switch (expected) {
    case undefined:
    case "ANY":
      return sql<boolean>`true`;
    case "NO_STREAM":
      return sql<boolean>`current_stream.version = 0`;
    case "STREAM_EXISTS":
      return sql<boolean>`current_stream.version > 0`;
    default:
      return sql<boolean>`current_stream.version = ${expected}::int`;
  }
};

/**
 * One statement that reads the stream's version, checks the expectation, inserts every event (one
 * multi-row INSERT, versions and positions in the same order) and, when it wrote anything, queues a
 * NOTIFY that Postgres delivers at commit. Run it after taking the append lock, so its snapshot sees
 * every earlier append and the version it reads is exact.
 */
export const appendStatement = (input: AppendStatementInput): RawBuilder<AppendRow> => {
  const events = sql.id(input.schema, "events");
  const json = JSON.stringify(input.events.map(({ type, data }) => ({ type, data: data ?? null })));
  const satisfied = expectation(input.expected);
  return sql<AppendRow>`
    with current_stream as (
      select coalesce(max(stream_version), 0) as version, max(global_position) as last_position
      from ${events} where stream_name = ${input.streamName}
    ), appended as (
      insert into ${events} (stream_name, stream_version, type, data)
      select ${input.streamName}, current_stream.version + e.ordinality, e.event ->> 'type', e.event -> 'data'
      from current_stream, jsonb_array_elements(${json}::jsonb) with ordinality as e(event, ordinality)
      where ${satisfied}
      order by e.ordinality
      returning global_position
    ), notified as (
      select pg_notify(${input.channel}, '') from (select from appended limit 1) as any_appended
    )
    select
      current_stream.version,
      ${satisfied} as satisfied,
      coalesce((select max(global_position) from appended), current_stream.last_position)::text as last_position,
      (select count(*) from notified) as notifications -- a CTE runs only when referenced
    from current_stream`;
};
