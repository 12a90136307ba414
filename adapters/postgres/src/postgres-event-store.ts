import {
  type AppendResult,
  createWakeSignal,
  type EventStore,
  type EventToAppend,
  type ExpectedStreamVersion,
  type GuardedAppendResult,
  type JointStep,
  pollingSubscription,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from "@berth/engine";
import { type Kysely, type Selectable, sql } from "kysely";
import type { Pool } from "pg";
import { appendEvents } from "./append-events.js";
import { toRecordedEvent } from "./event-row.js";
import { postgresJointStep } from "./joint-steps.js";
import { nameStatement } from "./named-statements.js";
import { createNotificationListener } from "./notification-listener.js";
import { type BerthDatabase, DEFAULT_SCHEMA, type EventsTable } from "./schema.js";
import { eventsChannel } from "./schema-key.js";

export interface PostgresEventStoreOptions {
  /**
   * Any Kysely on a Postgres dialect (pg, PGlite, …). The store never closes it: its owner does.
   * A Kysely typed for other tables can pass `db.withTables<BerthDatabase>()`.
   */
  readonly db: Kysely<BerthDatabase>;
  /** The schema holding the tables (migrated with `migrateToLatest(db, schema)`); default "berth". */
  readonly schema?: string;
  /** The pg Pool behind `db`, if it has one: subscribers then LISTEN and wake as soon as an append commits. */
  readonly pool?: Pool;
  /** How long an idle subscriber waits before it reads again when nothing woke it (default 200 ms). */
  readonly pollIntervalMs?: number;
  /** The most events one readAll returns, whatever its maxCount (default 1000). */
  readonly readAllLimit?: number;
  /**
   * Set only when a Postgres blob store in the same database was made with the same value (as
   * createPostgresStorage does): appends then carry out its joint steps (joint-steps.ts).
   */
  readonly jointStorage?: string;
}

/** readImageManifest: the last ImagePushed of the stream with this digest, by migration 0007's partial index. */
const imageManifestReader = (db: Kysely<BerthDatabase>) => {
  const manifestQuery = db
    .selectFrom("events")
    .select(sql<string>`data->>'imageManifest'`.as("manifest"))
    .where(sql<boolean>`type = 'ImagePushed'`)
    .where("stream_name", "=", "")
    .where(sql`data->>'imageDigest'`, "=", "")
    .orderBy("global_position", "desc")
    .limit(1)
    .compile();
  nameStatement(manifestQuery.sql); // every pull not in the cache sends it
  return async (streamName: string, imageDigest: string) => {
    const query = { ...manifestQuery, parameters: [streamName, imageDigest, 1] };
    const [row] = (await db.executeQuery<{ manifest: string }>(query)).rows;
    return row?.manifest;
  };
};

/** A joint step of this store's storage; any other is refused (see joint-steps.ts). */
const ownJointStep = (step: JointStep | undefined, jointStorage: string | undefined) =>
  step === undefined ? undefined : postgresJointStep(step, jointStorage ?? "(none)");

/**
 * An EventStore on Postgres: one `events` table, positions from an identity column.
 *
 * Appends are serialized by a transaction-scoped advisory lock taken before the insert, all inside
 * one call of the schema's `berth_append` function (migration 0004): one round trip each. Identity
 * values are handed out when a row is inserted but become visible when its transaction commits, so
 * without the lock a later position could commit before an earlier one and a reader that already
 * moved past the later one would skip the earlier for good. Under the lock, positions commit in
 * order: readAll and subscribers never skip. The lock also makes the version read exact; the unique
 * (stream_name, stream_version) constraint stays as the last guard against a lost or doubled write.
 */
export const createPostgresEventStore = (options: PostgresEventStoreOptions): EventStore => {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const db = options.db.withSchema(schema);
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const readAllLimit = options.readAllLimit ?? 1000;
  const channel = eventsChannel(schema);
  const appended = createWakeSignal();
  const listener =
    options.pool === undefined
      ? undefined
      : createNotificationListener(options.pool, channel, appended.notify);
  let closed = false;

  const { jointStorage } = options;

  const appendToStream = async (
    streamName: string,
    events: ReadonlyArray<EventToAppend>,
    expected?: ExpectedStreamVersion,
    step?: JointStep,
  ): Promise<AppendResult> => {
    const input = { schema, streamName, events, expected };
    const result = await appendEvents(db, input, undefined, ownJointStep(step, jointStorage));
    if (!("appended" in result)) throw new Error("berth_append missed events it was not asked about");
    if (events.length > 0) appended.notify(events.map(({ type }) => type));
    return result.appended;
  };

  const appendIfLogAt = async (
    streamName: string,
    events: ReadonlyArray<EventToAppend>,
    expected: ExpectedStreamVersion | undefined,
    position: bigint,
    step?: JointStep,
  ): Promise<GuardedAppendResult> => {
    const input = { schema, streamName, events, expected };
    const guard = { after: position, maxMissed: readAllLimit };
    const result = await appendEvents(db, input, guard, ownJointStep(step, jointStorage));
    if ("appended" in result && events.length > 0) appended.notify(events.map(({ type }) => type));
    return result;
  };

  const readStream = async (
    streamName: string,
    { afterVersion = 0, maxCount }: ReadStreamOptions = {},
  ): Promise<ReadonlyArray<RecordedEvent>> => {
    let query = db
      .selectFrom("events")
      .selectAll()
      .where("stream_name", "=", streamName)
      .where("stream_version", ">", afterVersion)
      .orderBy("stream_version");
    if (maxCount !== undefined) query = query.limit(Math.max(maxCount, 0));
    return (await query.execute()).map(toRecordedEvent);
  };

  // The two reads every request may make, compiled once: a call only sets their parameters
  // (kysely would otherwise build and compile the query anew each time, about 20 KB of garbage).
  const readAllQuery = db
    .selectFrom("events")
    .selectAll()
    .where("global_position", ">", "0")
    .orderBy("global_position")
    .limit(1)
    .compile();
  nameStatement(readAllQuery.sql); // every catch-up sends this text: planned once per connection
  const readAll = async ({
    after = 0n,
    maxCount,
  }: ReadAllOptions = {}): Promise<ReadonlyArray<RecordedEvent>> => {
    const limit = Math.max(Math.min(maxCount ?? readAllLimit, readAllLimit), 0);
    const query = { ...readAllQuery, parameters: [after.toString(), limit] };
    return (await db.executeQuery<Selectable<EventsTable>>(query)).rows.map(toRecordedEvent);
  };

  const streamVersion = async (streamName: string): Promise<number> => {
    const row = await db
      .selectFrom("events")
      .select((eb) => eb.fn.coalesce(eb.fn.max("stream_version"), eb.lit(0)).as("version"))
      .where("stream_name", "=", streamName)
      .executeTakeFirstOrThrow();
    return row.version;
  };

  const readImageManifest = imageManifestReader(db);

  const polling = { readAll, appended, isClosed: () => closed, batchSize: readAllLimit, pollIntervalMs };
  /** Subscribers wake on NOTIFY once the listener is up, and poll otherwise. */
  async function* subscribe(options?: SubscribeOptions): AsyncGenerator<RecordedEvent> {
    await listener?.listening();
    yield* pollingSubscription(polling, options);
  }

  return {
    appendToStream,
    appendIfLogAt,
    ...(jointStorage === undefined ? {} : { jointStorage }),
    readStream,
    streamVersion,
    readImageManifest,
    readAll,
    subscribe,
    async close() {
      closed = true;
      appended.notify();
      await listener?.close();
    },
  };
};
