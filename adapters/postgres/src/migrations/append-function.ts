import { type RawBuilder, sql } from "kysely";
import { ADVISORY_LOCK_NAMESPACE, eventsChannel, schemaKey } from "../schema-key.js";

/** The rows `berth_append` answers (and `berth_append_after`, migration 0009, as it does). */
export const appendOutcomes = sql`returns table (outcome text, global_position bigint, stream_name text, stream_version integer,
                       type text, data jsonb, recorded_at timestamptz, log_position bigint)`;

/**
 * `berth_append(stream, events, expected, after, max_missed)`: an append in one autocommit call,
 * one round trip, where it was four (BEGIN, the advisory lock, the append, COMMIT).
 *
 * - `expected`: null for ANY, -1 for STREAM_EXISTS, else the exact version (0 is NO_STREAM).
 * - `after`: when given, the append happens only if the log still ends there; otherwise nothing is
 *   written and the events after it come back (at most `max_missed`) as rows of outcome `missed`.
 * - Outcomes: one `appended` or `conflict` row (stream_version: the version before the call,
 *   global_position: the last appended position, else the stream's last, null for none), or the
 *   `missed` rows, their global_position the log's end in `log_position`.
 *
 * Each statement of a volatile plpgsql function takes a fresh snapshot (READ COMMITTED), so the
 * version read after the lock sees every append committed before the lock was granted; the lock is
 * held until the call's commit, so positions still commit in order and readers never skip. Processes
 * still on the four-statement append take the same lock: both kinds may run side by side.
 *
 * The notification names the types appended (a JSON array; migration 0010), so a subscriber that
 * follows other types is not woken; a listener that finds no array (older bodies send '') wakes all.
 *
 * Raw SQL inside a function body cannot take the migrator's schema: the body names it, so this
 * migration is made for one schema (see migration-provider.ts).
 *
 * "Is the log past `after`?" reads the log's last position by the primary key's index (max), never
 * `exists (… where global_position > after)`: once a connection's plan for the function is generic,
 * the planner cannot know `after` is near the end and scans the whole table (migration 0008).
 *
 * Everything between the lock and the commit (whose flush is under the lock too) holds up every
 * other append of the schema, so little happens there (migration 0011): the notification's payload
 * is worked out before the lock, and one event, what most commands append, is inserted as one row
 * whose position comes back from the insert, with no set-returning function and no second read.
 */
export const appendFunction = (
  schema: string,
  create: "create" | "create or replace",
): RawBuilder<unknown> => {
  if (schema.includes("$")) throw new Error(`Schema name ${JSON.stringify(schema)} may not hold "$"`);
  const events = sql.id(schema, "events");
  const lock = sql`${sql.lit(ADVISORY_LOCK_NAMESPACE)}, ${sql.lit(schemaKey(schema))}`;
  const missed = sql`
      return query
        select 'missed'::text, e.global_position, e.stream_name, e.stream_version, e.type, e.data,
               e.recorded_at, (select max(l.global_position) from ${events} as l)
        from ${events} as e where e.global_position > p_after
        order by e.global_position limit p_max_missed;
      return;`;
  return sql`
        ${sql.raw(create)} function ${sql.id(schema, "berth_append")}(
          p_stream text, p_events jsonb, p_expected integer, p_after bigint, p_max_missed integer)
        ${appendOutcomes}
        language plpgsql volatile
        as $berth$
        #variable_conflict use_column
        declare
          v_version integer;
          v_last bigint;
          v_end bigint;
          v_count integer := jsonb_array_length(p_events);
          -- Delivered at commit, to every LISTEN on the schema's channel: the types appended, as a
          -- JSON array, so subscribers that follow other types sleep on (none when too long). It is
          -- worked out before the lock.
          v_types text := case when v_count = 1 then jsonb_build_array(p_events -> 0 -> 'type')::text
                               else (select jsonb_agg(distinct e.event ->> 'type')::text
                                       from jsonb_array_elements(p_events) as e(event)) end;
        begin
          -- Behind already: no need to wait for the lock to say so. The log's end is read by a
          -- statement without parameters, so its plan never depends on them.
          if p_after is not null then
            select max(e.global_position) into v_end from ${events} as e;
            if v_end > p_after then
              ${missed}
            end if;
          end if;
          if v_count > 0 then
            perform pg_advisory_xact_lock(${lock});
            if p_after is not null then
              select max(e.global_position) into v_end from ${events} as e;
              if v_end > p_after then
                ${missed}
              end if;
            end if;
          end if;
          -- The stream's last row, by its (stream_name, stream_version) index: O(1) however long it is.
          select e.stream_version, e.global_position into v_version, v_last
            from ${events} as e where e.stream_name = p_stream
            order by e.stream_version desc limit 1;
          v_version := coalesce(v_version, 0);
          if not (p_expected is null or (p_expected = -1 and v_version > 0) or p_expected = v_version) then
            return query select 'conflict'::text, v_last, p_stream, v_version, null::text, null::jsonb,
                                null::timestamptz, null::bigint;
            return;
          end if;
          if v_count = 1 then
            -- Most commands append one event: one row, its position straight from the insert.
            insert into ${events} (stream_name, stream_version, type, data)
              values (p_stream, v_version + 1, p_events -> 0 ->> 'type', p_events -> 0 -> 'data')
              returning global_position into v_last;
          elsif v_count > 1 then
            insert into ${events} (stream_name, stream_version, type, data)
              select p_stream, v_version + e.ordinality, e.event ->> 'type', e.event -> 'data'
              from jsonb_array_elements(p_events) with ordinality as e(event, ordinality)
              order by e.ordinality;
            select e.global_position into v_last from ${events} as e
              where e.stream_name = p_stream and e.stream_version = v_version + v_count;
          end if;
          if v_count > 0 then
            perform pg_notify(${sql.lit(eventsChannel(schema))},
                              case when octet_length(v_types) <= 7000 then v_types else '' end);
          end if;
          return query select 'appended'::text, v_last, p_stream, v_version, null::text, null::jsonb,
                              null::timestamptz, null::bigint;
        end
        $berth$`;
};
