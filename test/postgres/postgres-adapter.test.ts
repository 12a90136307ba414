import { randomBytes, randomUUID } from "node:crypto";
import {
  createPostgresBlobStore,
  createPostgresEventStore,
  createPostgresStorage,
  migrateToLatest,
} from "@berth/adapter-postgres";
import { BlobMismatchError, UploadUnknownError } from "@berth/engine";
import { sha256Digest } from "@berth/testkit";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquirePostgres, type PostgresTestDatabase, recordingClient } from "../support/postgres.js";

/** What the contract cannot see: LISTEN/NOTIFY, state shared through the database, rows, migrations. */
describe("Postgres adapter", () => {
  let database: PostgresTestDatabase;
  beforeAll(async () => {
    database = await acquirePostgres();
  });
  afterAll(() => database?.release());

  it("wakes a subscriber on another pool through NOTIFY, long before its poll interval", async () => {
    const { connectionString, schema } = database;
    const listening = await createPostgresStorage({ connectionString, schema, pollIntervalMs: 60_000 });
    const writing = await createPostgresStorage({ connectionString, schema });
    try {
      const { lastGlobalPosition } = await writing.events.appendToStream(`s-${randomUUID()}`, [
        { type: "Before", data: {} },
      ]);
      const controller = new AbortController();
      const received = (async () => {
        for await (const event of listening.events.subscribe({
          after: lastGlobalPosition,
          signal: controller.signal,
        })) {
          return event;
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 200)); // let it catch up and wait
      const started = Date.now();
      await writing.events.appendToStream(`s-${randomUUID()}`, [{ type: "Wakes", data: {} }]);

      expect((await received)?.type).toBe("Wakes");
      expect(Date.now() - started).toBeLessThan(5_000);
      controller.abort();
    } finally {
      await Promise.all([listening.close(), writing.close()]);
    }
  });

  it("lets a subscriber that follows one type sleep through appends of others, its own and another pool's", async () => {
    const { connectionString, schema } = database;
    const { Client, sent } = recordingClient();
    const pool = { Client };
    const listening = await createPostgresStorage({ connectionString, schema, pollIntervalMs: 60_000, pool });
    const writing = await createPostgresStorage({ connectionString, schema });
    try {
      const head = await listening.events.appendToStream(`s-${randomUUID()}`, [{ type: "Before", data: {} }]);
      const controller = new AbortController();
      const received = (async () => {
        const types = ["Wanted"];
        for await (const event of listening.events.subscribe({
          after: head.lastGlobalPosition,
          signal: controller.signal,
          types,
        })) {
          return event;
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 200)); // caught up, listening, waiting
      const before = sent.length;
      for (let n = 0; n < 10; n++) {
        await listening.events.appendToStream(`s-${randomUUID()}`, [{ type: "Other", data: { n } }]);
        await writing.events.appendToStream(`s-${randomUUID()}`, [{ type: "Other", data: { n } }]);
      }
      await new Promise((resolve) => setTimeout(resolve, 200)); // every notification delivered
      expect(sent.length - before).toBe(10); // its own appends: not one read more
      const started = Date.now();
      await writing.events.appendToStream(`s-${randomUUID()}`, [
        { type: "Other", data: {} },
        { type: "Wanted", data: { last: true } },
      ]);
      expect(await received).toMatchObject({ type: "Wanted", data: { last: true } });
      expect(Date.now() - started).toBeLessThan(5_000); // woken by the notification, not a poll
      controller.abort();
    } finally {
      await Promise.all([listening.close(), writing.close()]);
    }
  });

  it("ends the pool once both of its stores are closed", async () => {
    const storage = await createPostgresStorage({
      connectionString: database.connectionString,
      schema: database.schema,
    });
    await storage.events.close();
    expect(await storage.blobs.stat(`sha256:${"0".repeat(64)}`)).toBeUndefined();
    await storage.blobs.close();
    await expect(storage.blobs.stat(`sha256:${"0".repeat(64)}`)).rejects.toThrow();
  });

  it("rebuilds the running hash from stored chunks when another instance wrote the earlier parts", async () => {
    const first = createPostgresBlobStore({ db: database.db, schema: database.schema, chunkSize: 1000 });
    const second = createPostgresBlobStore({ db: database.db, schema: database.schema, chunkSize: 1000 });
    const [head, tail] = [randomBytes(2500), randomBytes(1700)];
    const whole = Buffer.concat([head, tail]);
    const uploadId = randomUUID();
    await first.createUpload(uploadId);
    await first.appendToUpload(uploadId, 0, head);

    expect(await second.appendToUpload(uploadId, 2500, tail)).toEqual({
      size: 4200,
      digest: sha256Digest(whole),
    });
    expect(await first.uploadStatus(uploadId)).toEqual({ size: 4200, digest: sha256Digest(whole) });
    expect(await first.finishUpload(uploadId, { size: 4200, digest: sha256Digest(whole) })).toEqual({
      size: 4200,
      digest: sha256Digest(whole),
    });
  });

  it("finishes at the size this process hashed only if the upload is still that size", async () => {
    const first = createPostgresBlobStore({ db: database.db, schema: database.schema });
    const second = createPostgresBlobStore({ db: database.db, schema: database.schema });
    const [head, tail] = [randomBytes(100), randomBytes(50)];
    const uploadId = randomUUID();
    await first.createUpload(uploadId);
    await first.appendToUpload(uploadId, 0, head); // `first` holds the hash at 100 bytes
    await second.appendToUpload(uploadId, 100, tail);

    await expect(
      first.finishUpload(uploadId, { size: 100, digest: sha256Digest(head) }),
    ).rejects.toBeInstanceOf(BlobMismatchError);
    expect(await first.stat(sha256Digest(head))).toBeUndefined();
    await expect(first.uploadStatus(uploadId)).rejects.toBeInstanceOf(UploadUnknownError); // discarded
  });

  it("cuts appended bytes into rows of at most chunkSize, whatever the sender's pieces", async () => {
    const store = createPostgresBlobStore({ db: database.db, schema: database.schema, chunkSize: 1000 });
    const uploadId = randomUUID();
    await store.createUpload(uploadId);
    await store.appendToUpload(uploadId, 0, randomBytes(3500));

    const rows = await sql<{ length: number }>`
      select octet_length(bytes) as length from ${sql.id(database.schema, "upload_chunks")}
      where upload_id = ${uploadId} order by byte_offset`.execute(database.db);
    expect(rows.rows.map((row) => row.length)).toEqual([1000, 1000, 1000, 500]);
  });

  it("migrates idempotently, with kysely's bookkeeping inside the schema", async () => {
    expect(await migrateToLatest(database.db, database.schema)).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = ${database.schema} order by table_name`.execute(
      database.db,
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      "blob_chunks",
      "blobs",
      "events",
      "kysely_migration",
      "kysely_migration_lock",
      "snapshot_chunks",
      "snapshots",
      "upload_attempts",
      "upload_chunks",
      "uploads",
    ]);
  });

  it("migrates while other schemas of the database are being dropped (kysely introspects them all)", async () => {
    // Test files, tenants and other processes share one database: their schemas come and go.
    for (let round = 0; round < 10; round++) {
      const others = Array.from({ length: 8 }, (_, i) => `${database.schema}_gone_${round}_${i}`);
      for (const other of others)
        await sql`create schema ${sql.id(other)}; create table ${sql.id(other, "t")} (id serial primary key)`.execute(
          database.db,
        );
      const dropping = Promise.all(
        others.map((other) => sql`drop schema ${sql.id(other)} cascade`.execute(database.db)),
      );
      const migrations = Promise.all([1, 2, 3].map(() => migrateToLatest(database.db, database.schema)));
      await dropping;
      expect(await migrations).toEqual([[], [], []]);
    }
  });

  it("keeps schemas apart: a store in another schema sees none of these events", async () => {
    const events = createPostgresEventStore({ db: database.db, schema: database.schema });
    const stream = `s-${randomUUID()}`;
    await events.appendToStream(stream, [{ type: "Here", data: {} }]);
    const elsewhere = `${database.schema}_other`;
    await migrateToLatest(database.db, elsewhere);
    try {
      const other = createPostgresEventStore({ db: database.db, schema: elsewhere });
      expect(await other.readStream(stream)).toEqual([]);
      expect(await other.readAll()).toEqual([]);
    } finally {
      await sql`drop schema ${sql.id(elsewhere)} cascade`.execute(database.db);
    }
  });
});
