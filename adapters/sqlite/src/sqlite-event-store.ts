import {
  type AppendResult,
  createWakeSignal,
  type EventStore,
  type EventToAppend,
  type ExpectedStreamVersion,
  type GuardedAppendResult,
  pollingSubscription,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from "@berth/engine";
import type BetterSqlite3 from "better-sqlite3";
import { appendTransactions } from "./append-transactions.js";
import { prepareEventStatements, toRecordedEvent } from "./event-statements.js";

export interface SqliteEventStoreOptions {
  /** A better-sqlite3 database migrated with `migrateSqliteToLatest`. */
  readonly database: BetterSqlite3.Database;
  /** Whether `close()` closes the database too (default false: its owner does). */
  readonly closeDatabase?: boolean;
  /** The store's clock for `recordedAt` (epoch milliseconds); defaults to Date.now. */
  readonly clock?: () => number;
  /** How long an idle subscriber waits before it reads again when nothing woke it (default 200 ms). */
  readonly pollIntervalMs?: number;
  /** The most events one readAll returns, whatever its maxCount (default 1000). */
  readonly readAllLimit?: number;
}

/**
 * An EventStore on SQLite: one `events` table whose row id is the global position. better-sqlite3
 * is synchronous, and an append is one IMMEDIATE transaction (the version read, the check and every
 * insert), so appends are serialized by SQLite's single writer: positions commit in order and
 * readers never skip one. Subscribers wake on this store's appends and poll otherwise.
 */
export const createSqliteEventStore = (options: SqliteEventStoreOptions): EventStore => {
  const { database } = options;
  const clock = options.clock ?? Date.now;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const readAllLimit = options.readAllLimit ?? 1000;
  const statements = prepareEventStatements(database);
  const appended = createWakeSignal();
  let closed = false;

  const { append, guardedAppend } = appendTransactions(database, statements, clock, readAllLimit);

  /** Serialized before any transaction: a value JSON cannot hold fails with nothing written. */
  const rowsOf = (events: ReadonlyArray<EventToAppend>) =>
    events.map(({ type, data }) => ({ type, json: JSON.stringify(data) ?? "null" }));

  const appendIfLogAt = async (
    streamName: string,
    events: ReadonlyArray<EventToAppend>,
    expected: ExpectedStreamVersion | undefined,
    position: bigint,
  ): Promise<GuardedAppendResult> => {
    if (closed) throw new Error("The SQLite event store is closed");
    const rows = rowsOf(events);
    const result = guardedAppend.immediate(streamName, rows, expected, position);
    if ("appended" in result && rows.length > 0) appended.notify(rows.map(({ type }) => type));
    return result;
  };

  const appendToStream = async (
    streamName: string,
    events: ReadonlyArray<EventToAppend>,
    expected?: ExpectedStreamVersion,
  ): Promise<AppendResult> => {
    if (closed) throw new Error("The SQLite event store is closed");
    const rows = rowsOf(events);
    const result = append.immediate(streamName, rows, expected);
    if (rows.length > 0) appended.notify(rows.map(({ type }) => type));
    return result;
  };

  const readStream = async (
    streamName: string,
    { afterVersion = 0, maxCount }: ReadStreamOptions = {},
  ): Promise<ReadonlyArray<RecordedEvent>> =>
    statements.readStream
      .all(streamName, afterVersion, maxCount === undefined ? -1 : Math.max(maxCount, 0))
      .map(toRecordedEvent);

  const readAll = async ({
    after = 0n,
    maxCount,
  }: ReadAllOptions = {}): Promise<ReadonlyArray<RecordedEvent>> =>
    statements.readAll
      .all(after, Math.max(Math.min(maxCount ?? readAllLimit, readAllLimit), 0))
      .map(toRecordedEvent);

  const polling = { readAll, appended, isClosed: () => closed, batchSize: readAllLimit, pollIntervalMs };
  const subscribe = (options?: SubscribeOptions) => pollingSubscription(polling, options);

  return {
    appendToStream,
    appendIfLogAt,
    readStream,
    streamVersion: async (streamName) => Number(statements.stream.get(streamName)?.version ?? 0),
    readImageManifest: async (streamName, imageDigest) =>
      statements.imageManifest.get(streamName, imageDigest)?.manifest,
    readAll,
    subscribe,
    async close() {
      if (closed) return;
      closed = true;
      appended.notify();
      if (options.closeDatabase === true) database.close();
    },
  };
};
