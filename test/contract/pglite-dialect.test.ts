import { setTimeout as sleep } from "node:timers/promises";
import {
  type BerthDatabase,
  createPostgresEventStore,
  migrateToLatest,
  PGliteDialect,
} from "@berth/adapter-postgres";
import type { RecordedEvent } from "@berth/engine";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectedStores } from "../support/selected-stores.js";

describe.runIf(selectedStores().has("pglite"))("PGliteDialect", () => {
  let db: Kysely<BerthDatabase>;
  beforeAll(async () => {
    db = new Kysely<BerthDatabase>({ dialect: new PGliteDialect({ pglite: new PGlite() }) });
  });
  afterAll(() => db.destroy());

  it("lends its one session to one transaction at a time, in order, so they never interleave", async () => {
    await sql`create table counter (value int not null)`.execute(db);
    await sql`insert into counter values (0)`.execute(db);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, (_, caller) =>
        db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ value: number }>`select value from counter`.execute(trx);
          await sleep(5); // a pause inside the transaction: others must wait, not slip in
          await sql`update counter set value = ${(rows[0]?.value ?? 0) + 1}`.execute(trx);
          order.push(caller);
        }),
      ),
    );
    const { rows } = await sql<{ value: number }>`select value from counter`.execute(db);
    expect(rows[0]?.value).toBe(5);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it("rolls back a failed transaction and frees the session for the next caller", async () => {
    await sql`create table notes (text text not null)`.execute(db);
    const failing = db.transaction().execute(async (trx) => {
      await sql`insert into notes values ('lost')`.execute(trx);
      throw new Error("changed my mind");
    });
    await expect(failing).rejects.toThrow("changed my mind");
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from notes`.execute(db);
    expect(rows[0]?.count).toBe(0);
  });

  it("counts the rows an INSERT, UPDATE or DELETE touched", async () => {
    await sql`create table items (id int primary key)`.execute(db);
    const inserted = await sql`insert into items values (1), (2), (3)`.execute(db);
    const updated = await sql`update items set id = id + 10 where id > 1`.execute(db);
    const deleted = await sql`delete from items`.execute(db);
    const selected = await sql`select * from items`.execute(db);
    expect([inserted, updated, deleted].map((result) => result.numAffectedRows)).toEqual([3n, 2n, 3n]);
    expect(selected.numAffectedRows).toBeUndefined();
  });

  it("keeps global positions beyond 2^53 exact (PGlite hands such int8 over as a bigint)", async () => {
    const schema = "big_positions";
    await migrateToLatest(db, schema);
    await sql`alter table ${sql.id(schema, "events")} alter column global_position restart with 9007199254740993`.execute(
      db,
    );
    const store = createPostgresEventStore({ db, schema });
    const appended = await store.appendToStream("big-1", [{ type: "Big", data: { n: 1 } }]);
    expect(appended.lastGlobalPosition).toBe(9007199254740993n);
    const [event] = await store.readAll({ after: 9007199254740992n });
    expect(event?.globalPosition).toBe(9007199254740993n);
    expect(event?.data).toEqual({ n: 1 });
    await store.close();
  });

  it("has no LISTEN for the event store: a subscriber sees another store's appends by polling", async () => {
    const schema = "polling";
    await migrateToLatest(db, schema);
    const reader = createPostgresEventStore({ db, schema, pollIntervalMs: 50 });
    const writer = createPostgresEventStore({ db, schema });
    const controller = new AbortController();
    const received: RecordedEvent[] = [];
    const following = (async () => {
      for await (const event of reader.subscribe({ signal: controller.signal })) {
        received.push(event);
        controller.abort();
      }
    })();
    await sleep(20);
    await writer.appendToStream("polled-1", [{ type: "Polled", data: {} }]);
    await following;
    expect(received.map((event) => event.type)).toEqual(["Polled"]);
    await Promise.all([reader.close(), writer.close()]);
  });
});
