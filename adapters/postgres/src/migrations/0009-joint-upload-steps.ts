import { type Kysely, type Migration, sql } from "kysely";
import { appendOutcomes } from "./append-function.js";

/**
 * `berth_append_after(step, upload, offset, text, bytes, stream, events, expected, after)`: one of
 * the blob store's upload writes, then `berth_append`, in one autocommit call (the joint steps of
 * engine/ports/joint-steps.ts). Both commit or neither:
 *
 * - The step: `create` inserts upload `upload` (`offset` 0); `append` is `berth_append_whole` of
 *   `bytes` at `offset` (`text`: the attempt id); `finish` is `berth_finish_upload` at size
 *   `offset` (`text`: the digest). One that finds the upload gone or at another size raises
 *   SQLSTATE BRJ01: the whole call fails, nothing written.
 * - Then the append, as `berth_append` makes it. When it does not happen (a conflict, or the log
 *   moved past `after`), the step is undone with it (a subtransaction) and one row says so:
 *   `conflict` as from `berth_append`, or `missed` with the log's end in `log_position` (the events
 *   missed are not returned: the caller reads them).
 *
 * The step runs before the append takes the schema's lock, so a finish that moves many chunks does
 * not hold up other appends; every joint call takes the upload's row lock, then that lock.
 */
export const jointUploadSteps = (schema: string): Migration => {
  if (schema.includes("$")) throw new Error(`Schema name ${JSON.stringify(schema)} may not hold "$"`);
  const table = (name: string) => sql.id(schema, name);
  return {
    async up(db: Kysely<unknown>) {
      await sql`
        create function ${table("berth_append_after")}(
          p_step text, p_upload text, p_offset bigint, p_text text, p_bytes bytea,
          p_stream text, p_events jsonb, p_expected integer, p_after bigint)
        ${appendOutcomes}
        language plpgsql volatile
        as $berth$
        #variable_conflict use_column
        declare
          v_found bigint;
          v_outcome text;
          v_position bigint;
          v_version integer;
        begin
          begin
            if p_step = 'create' then
              insert into ${table("uploads")} (upload_id) values (p_upload) on conflict (upload_id) do nothing;
              v_found := case when found then 0 end;
            elsif p_step = 'append' then
              v_found := ${table("berth_append_whole")}(p_upload, p_offset, p_text, p_bytes);
            elsif p_step = 'finish' then
              v_found := ${table("berth_finish_upload")}(p_upload, p_offset, p_text);
            end if;
            if v_found is distinct from p_offset then
              raise exception 'Upload %: step % expected size %, found %', p_upload, p_step, p_offset, v_found
                using errcode = 'BRJ01';
            end if;
            select a.outcome, a.global_position, a.stream_version into v_outcome, v_position, v_version
              from ${table("berth_append")}(p_stream, p_events, p_expected, p_after, 0) as a;
            if v_outcome is distinct from 'appended' then
              raise exception 'not appended' using errcode = 'BRJ02';
            end if;
          exception when sqlstate 'BRJ02' then
            null; -- the step is undone with the subtransaction; the row below says why
          end;
          return query select coalesce(v_outcome, 'missed'), v_position, p_stream, v_version, null::text,
                              null::jsonb, null::timestamptz,
                              case when v_outcome is null
                                then (select max(e.global_position) from ${table("events")} as e) end;
        end
        $berth$`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop function ${table(
        "berth_append_after",
      )}(text, text, bigint, text, bytea, text, jsonb, integer, bigint)`.execute(db);
    },
  };
};
