import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import { berthMigrationProvider, createPostgresEventStore, migrateToLatest } from "@berth/adapter-postgres";
import type { RepositoryName } from "@berth/core";
import { createRegistry, ExpectedVersionConflictError } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import { Migrator, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquirePostgres, type PostgresTestDatabase } from "../support/postgres.js";

/** Migrations 0004 and 0005 (appends in one call) on a schema that already holds events written the old way. */
describe("Postgres migrations 0004 and 0005: appends in one call", () => {
  let database: PostgresTestDatabase;
  let schema: string;
  beforeAll(async () => {
    database = await acquirePostgres();
    schema = `${database.schema}_v3`;
  });
  afterAll(async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
    await database?.release();
  });

  it("keeps a schema migrated up to 0003, with a registry's events in it, working", async () => {
    const migrator = new Migrator({
      db: database.db.withSchema(schema),
      provider: berthMigrationProvider(schema),
      migrationTableSchema: schema,
    });
    await sql`create schema ${sql.id(schema)}`.execute(database.db);
    expect((await migrator.migrateTo("0003_stage_upload_appends")).error).toBeUndefined();
    // A registry's events, inserted as rows the way the adapter before 0004 wrote them.
    const before = createMemoryEventStore();
    const earlier = createRegistry({ events: before, blobs: createMemoryBlobStore() });
    for (const name of ["old/one", "old/two"]) {
      expect(E.isRight(await earlier.createRepository({ repositoryName: name as RepositoryName }))).toBe(
        true,
      );
    }
    for (const event of await before.readAll()) {
      await sql`insert into ${sql.id(schema, "events")} (stream_name, stream_version, type, data)
        values (${event.streamName}, ${event.streamVersion}, ${event.type}, ${JSON.stringify(event.data)}::jsonb)`.execute(
        database.db,
      );
    }

    expect((await migrateToLatest(database.db, schema)).map((result) => result.migrationName)).toEqual([
      "0004_append_in_one_call",
      "0005_upload_steps_in_one_call",
      "0006_create_snapshots",
      "0007_index_image_manifests",
      "0008_append_checks_log_end_by_index",
      "0009_joint_upload_steps",
      "0010_notify_names_event_types",
      "0011_append_little_under_the_lock",
    ]);
    const events = createPostgresEventStore({ db: database.db, schema });
    const registry = createRegistry({ events, blobs: createMemoryBlobStore() });
    const taken = await registry.createRepository({ repositoryName: "old/one" as RepositoryName });
    expect(E.isLeft(taken) && taken.left._tag).toBe("RepositoryAlreadyExistsException");
    expect(
      E.isRight(await registry.createRepository({ repositoryName: "new/three" as RepositoryName })),
    ).toBe(true);
    const described = await registry.describeRepositories({});
    expect(E.isRight(described) && described.right.repositories.map((r) => r.repositoryName).sort()).toEqual([
      "new/three",
      "old/one",
      "old/two",
    ]);

    const log = await events.readAll();
    expect(log).toHaveLength(3);
    expect(log.map((event) => event.globalPosition)).toEqual([1n, 2n, 3n]);
    const stream = log[0]!.streamName;
    await expect(events.appendToStream(stream, [{ type: "Late", data: {} }], 0)).rejects.toBeInstanceOf(
      ExpectedVersionConflictError,
    );
    expect(await events.appendIfLogAt?.(stream, [{ type: "Late", data: {} }], 1, 2n)).toMatchObject({
      missed: [{ globalPosition: 3n }],
      logPosition: 3n,
    });
  });

  it("migrates down to 0003 by dropping the functions, leaving the events", async () => {
    const migrator = new Migrator({
      db: database.db.withSchema(schema),
      provider: berthMigrationProvider(schema),
      migrationTableSchema: schema,
    });
    expect((await migrator.migrateTo("0003_stage_upload_appends")).error).toBeUndefined();
    const functions = await sql<{ count: string }>`
      select count(*) from pg_proc where proname like 'berth%' and pronamespace = ${schema}::regnamespace`.execute(
      database.db,
    );
    expect(Number(functions.rows[0]?.count)).toBe(0);
    const rows = await sql<{ count: string }>`select count(*) from ${sql.id(schema, "events")}`.execute(
      database.db,
    );
    expect(Number(rows.rows[0]?.count)).toBe(3);
  });
});
