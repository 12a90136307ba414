import { randomBytes, randomUUID } from "node:crypto";
import {
  type BerthDatabase,
  berthMigrationProvider,
  createPostgresBlobStore,
  migrateToLatest,
} from "@berth/adapter-postgres";
import { UploadOffsetError } from "@berth/engine";
import { sha256Digest } from "@berth/testkit";
import { Kysely, Migrator, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquirePostgres, type PostgresTestDatabase } from "../support/postgres.js";

/** A stream that sends `head`, then waits until `finish()` before sending `tail`. */
const gatedStream = (head: Uint8Array, tail: Uint8Array) => {
  let finish = () => {};
  const gate = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let sentHead = () => {};
  const headSent = new Promise<void>((resolve) => {
    sentHead = resolve;
  });
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield head;
    sentHead();
    await gate;
    yield tail;
  }
  return { stream: stream(), headSent, finish };
};

/** Settles with "hung" when `promise` has not settled within `ms`. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T | "hung"> =>
  Promise.race([promise, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), ms))]);

/** How appends stream outside any transaction: attempts, adoption, leftovers, the migration. */
describe("Postgres blob store: append attempts", () => {
  let database: PostgresTestDatabase;
  beforeAll(async () => {
    database = await acquirePostgres();
  });
  afterAll(() => database?.release());

  const count = async (table: "upload_attempts" | "upload_chunks", uploadId: string) => {
    const result = await sql<{ n: string }>`
      select count(*) as n from ${sql.id(database.schema, table)} where upload_id = ${uploadId}`.execute(
      database.db,
    );
    return Number(result.rows[0]?.n);
  };

  it("holds no connection while an append waits for its bytes: a pool of one still serves others", async () => {
    const pool = new pg.Pool({ connectionString: database.connectionString, max: 1 });
    const db = new Kysely<BerthDatabase>({ dialect: new PostgresDialect({ pool }) });
    try {
      const store = createPostgresBlobStore({ db, schema: database.schema, chunkSize: 1000 });
      const [slow, other] = [randomUUID(), randomUUID()];
      await store.createUpload(slow);
      await store.createUpload(other);
      const head = randomBytes(2500);
      const tail = randomBytes(700);
      const client = gatedStream(head, tail);
      const appending = store.appendToUpload(slow, 0, client.stream);
      await client.headSent;

      // The slow append is mid-stream (rows written, its tail not sent): the one connection is free.
      expect(await within(5_000, store.appendToUpload(other, 0, randomBytes(10)))).toMatchObject({
        size: 10,
      });
      expect(await within(5_000, store.uploadStatus(slow))).toEqual({
        size: 0,
        digest: sha256Digest(Buffer.alloc(0)),
      });

      client.finish();
      expect(await appending).toEqual({ size: 3200, digest: sha256Digest(Buffer.concat([head, tail])) });
    } finally {
      await db.destroy();
    }
  });

  it("never counts the rows of an attempt that was not adopted, and the next adoption removes them", async () => {
    const store = createPostgresBlobStore({ db: database.db, schema: database.schema, chunkSize: 1000 });
    const uploadId = randomUUID();
    await store.createUpload(uploadId);
    const head = randomBytes(1500);
    await store.appendToUpload(uploadId, 0, head);
    // What a process that crashed mid-append leaves behind: an open attempt with rows.
    const crashed = `crashed-${randomUUID()}`;
    const db = database.db.withSchema(database.schema);
    await db
      .insertInto("upload_attempts")
      .values({ attempt_id: crashed, upload_id: uploadId, start_offset: 1500 })
      .execute();
    await db
      .insertInto("upload_chunks")
      .values({ upload_id: uploadId, attempt_id: crashed, byte_offset: 1500, bytes: randomBytes(900) })
      .execute();

    const fresh = createPostgresBlobStore({ db: database.db, schema: database.schema }); // no cached hash
    expect(await fresh.uploadStatus(uploadId)).toEqual({ size: 1500, digest: sha256Digest(head) });
    const tail = randomBytes(300);
    const whole = Buffer.concat([head, tail]);
    expect(await fresh.appendToUpload(uploadId, 1500, tail)).toEqual({
      size: 1800,
      digest: sha256Digest(whole),
    });
    const remaining = await db
      .selectFrom("upload_attempts")
      .select("attempt_id")
      .where("attempt_id", "=", crashed)
      .execute();
    expect(remaining).toEqual([]);
    expect(await fresh.finishUpload(uploadId, { size: 1800, digest: sha256Digest(whole) })).toEqual({
      size: 1800,
      digest: sha256Digest(whole),
    });
    expect(await count("upload_attempts", uploadId)).toBe(0);
  });

  it("deletes the rows of a failed or refused append, and of a loser still streaming", async () => {
    const store = createPostgresBlobStore({ db: database.db, schema: database.schema, chunkSize: 1000 });
    const uploadId = randomUUID();
    await store.createUpload(uploadId);
    const loser = gatedStream(randomBytes(2500), randomBytes(10));
    const losing = store.appendToUpload(uploadId, 0, loser.stream);
    await loser.headSent;
    expect(await count("upload_chunks", uploadId)).toBe(2); // the loser's first full rows, not adopted

    await store.appendToUpload(uploadId, 0, randomBytes(100));
    expect(await count("upload_chunks", uploadId)).toBe(1); // the winner's adoption dropped the loser's rows
    loser.finish();
    await expect(losing).rejects.toBeInstanceOf(UploadOffsetError);

    const failure = new Error("client went away");
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield randomBytes(2500);
      throw failure;
    }
    await expect(store.appendToUpload(uploadId, 100, failing())).rejects.toBe(failure);
    expect(await count("upload_attempts", uploadId)).toBe(1);
    expect(await count("upload_chunks", uploadId)).toBe(1);
  });

  it("migrates chunks stored before attempts existed: they stay the upload's bytes", async () => {
    const schema = `${database.schema}_old`;
    const old = database.db.withSchema(schema);
    const migrator = new Migrator({
      db: old,
      provider: berthMigrationProvider(schema),
      migrationTableSchema: schema,
    });
    await sql`create schema ${sql.id(schema)}`.execute(database.db);
    try {
      expect((await migrator.migrateTo("0002_create_blob_store")).error).toBeUndefined();
      const uploadId = randomUUID();
      const bytes = randomBytes(2000);
      await sql`insert into ${sql.id(schema, "uploads")} (upload_id, size) values (${uploadId}, 2000)`.execute(
        database.db,
      );
      await sql`insert into ${sql.id(schema, "upload_chunks")} (upload_id, byte_offset, bytes)
        values (${uploadId}, 0, ${bytes.subarray(0, 1200)}), (${uploadId}, 1200, ${bytes.subarray(1200)})`.execute(
        database.db,
      );

      await migrateToLatest(database.db, schema);
      const store = createPostgresBlobStore({ db: database.db, schema });
      expect(await store.uploadStatus(uploadId)).toEqual({ size: 2000, digest: sha256Digest(bytes) });
      const tail = randomBytes(50);
      const whole = Buffer.concat([bytes, tail]);
      await store.appendToUpload(uploadId, 2000, tail);
      expect(await store.finishUpload(uploadId, { size: 2050, digest: sha256Digest(whole) })).toEqual({
        size: 2050,
        digest: sha256Digest(whole),
      });
    } finally {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(database.db);
    }
  });
});
