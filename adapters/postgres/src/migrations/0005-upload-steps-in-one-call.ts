import { type Kysely, type Migration, sql } from "kysely";

/**
 * The blob store's short transactions as functions, each one autocommit call (one round trip where
 * they were up to six statements). Each returns the upload's size as it found it under its row lock
 * (null: the upload is gone) and changes nothing unless that size was the caller's:
 *
 * - `berth_adopt_attempt(upload, offset, attempt, size)`: makes a streamed attempt's rows the
 *   upload's bytes, moves the size and drops every other unadopted attempt (see append-attempt.ts).
 * - `berth_append_whole(upload, offset, attempt, bytes)`: the same for bytes already in memory (at
 *   most one row): the attempt is written adopted, with its row, in the same call.
 * - `berth_finish_upload(upload, size, digest)`: makes the adopted rows the blob `digest` (when no
 *   blob of that digest exists yet) and drops the upload. The caller has checked the digest of the
 *   first `size` bytes, which never change while the upload lives.
 *
 * Function bodies name their schema (raw SQL cannot take the migrator's), so this migration is made
 * for one schema, as 0004 is.
 */
export const uploadStepsInOneCall = (schema: string): Migration => {
  if (schema.includes("$")) throw new Error(`Schema name ${JSON.stringify(schema)} may not hold "$"`);
  const table = (name: string) => sql.id(schema, name);
  const lockedSize = sql`
          select u.size into v_size from ${table("uploads")} as u where u.upload_id = p_upload for update;
          if not found or v_size <> p_offset then
            return v_size;
          end if;`;
  return {
    async up(db: Kysely<unknown>) {
      await sql`
        create function ${table("berth_adopt_attempt")}(
          p_upload text, p_offset bigint, p_attempt text, p_size bigint)
        returns bigint language plpgsql volatile
        as $berth$
        declare v_size bigint;
        begin
          ${lockedSize}
          update ${table("upload_attempts")} set adopted = true where attempt_id = p_attempt;
          if not found then
            -- Only an adoption (which moves the size) or the upload's end deletes an attempt.
            raise exception 'Upload %: append % vanished', p_upload, p_attempt;
          end if;
          update ${table("uploads")} set size = p_size where upload_id = p_upload;
          delete from ${table("upload_attempts")}
            where upload_id = p_upload and not adopted and attempt_id <> p_attempt;
          return v_size;
        end
        $berth$`.execute(db);
      await sql`
        create function ${table("berth_append_whole")}(
          p_upload text, p_offset bigint, p_attempt text, p_bytes bytea)
        returns bigint language plpgsql volatile
        as $berth$
        declare v_size bigint;
        begin
          ${lockedSize}
          delete from ${table("upload_attempts")} where upload_id = p_upload and not adopted;
          insert into ${table("upload_attempts")} (attempt_id, upload_id, start_offset, adopted)
            values (p_attempt, p_upload, p_offset, true);
          if octet_length(p_bytes) > 0 then
            insert into ${table("upload_chunks")} (upload_id, attempt_id, byte_offset, bytes)
              values (p_upload, p_attempt, p_offset, p_bytes);
          end if;
          update ${table("uploads")} set size = p_offset + octet_length(p_bytes) where upload_id = p_upload;
          return v_size;
        end
        $berth$`.execute(db);
      await sql`
        create function ${table("berth_finish_upload")}(p_upload text, p_offset bigint, p_digest text)
        returns bigint language plpgsql volatile
        as $berth$
        declare v_size bigint;
        begin
          ${lockedSize}
          insert into ${table("blobs")} (digest, size) values (p_digest, p_offset)
            on conflict (digest) do nothing;
          -- Whoever creates the blob row moves the bytes; a later finish of the same bytes only drops
          -- its upload.
          if found then
            insert into ${table("blob_chunks")} (digest, byte_offset, bytes)
              select p_digest, c.byte_offset, c.bytes
              from ${table("upload_chunks")} as c
              join ${table("upload_attempts")} as a on a.attempt_id = c.attempt_id
              where a.upload_id = p_upload and a.adopted;
          end if;
          delete from ${table("uploads")} where upload_id = p_upload;
          return v_size;
        end
        $berth$`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop function ${table("berth_finish_upload")}(text, bigint, text)`.execute(db);
      await sql`drop function ${table("berth_append_whole")}(text, bigint, text, bytea)`.execute(db);
      await sql`drop function ${table("berth_adopt_attempt")}(text, bigint, text, bigint)`.execute(db);
    },
  };
};
