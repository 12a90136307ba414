import {
  type AppendResult,
  createWakeSignal,
  type EventStore,
  type EventToAppend,
  type ExpectedStreamVersion,
  ExpectedVersionConflictError,
  type GuardedAppendResult,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from "@berth/engine";
import type BetterSqlite3 from "better-sqlite3";
import { isExpectedVersion, prepareEventStatements, toRecordedEvent } from "./event-statements.js";

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

  const append = database.transaction(
    (
      streamName: string,
      events: ReadonlyArray<{ type: string; json: string }>,
      expected: ExpectedStreamVersion | undefined,
    ): AppendResult => {
      const current = statements.stream.get(streamName);
      const version = Number(current?.version ?? 0);
      if (!isExpectedVersion(expected, version))
        throw new ExpectedVersionConflictError(streamName, expected ?? "ANY", version);
      let lastGlobalPosition = current?.last_position ?? 0n;
      const recordedAt = clock();
      events.forEach(({ type, json }, index) => {
        const { lastInsertRowid } = statements.insert.run(
          streamName,
          version + index + 1,
          type,
          json,
          recordedAt,
        );
        lastGlobalPosition = BigInt(lastInsertRowid);
      });
      return { nextExpectedStreamVersion: version + events.length, lastGlobalPosition };
    },
  );

  /** The append, inside the same IMMEDIATE transaction as the check that the log ends at `position`. */
  const guardedAppend = database.transaction(
    (
      streamName: string,
      events: ReadonlyArray<{ type: string; json: string }>,
      expected: ExpectedStreamVersion | undefined,
      position: bigint,
    ): GuardedAppendResult => {
      const logPosition = statements.logPosition.get()?.position ?? 0n;
      if (logPosition !== position)
        return { missed: statements.readAll.all(position, readAllLimit).map(toRecordedEvent), logPosition };
      return { appended: append(streamName, events, expected) };
    },
  );

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
    if ("appended" in result && rows.length > 0) appended.notify();
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
    if (rows.length > 0) appended.notify();
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

  /** Reads after the last delivered position until caught up, then waits for a wake-up or the poll interval. */
  async function* subscribe({ after = 0n, signal }: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const stopped = () => closed || signal?.aborted === true;
    let position = after;
    while (!stopped()) {
      const round = appended.round();
      const batch = await readAll({ after: position, maxCount: readAllLimit });
      for (const event of batch) {
        if (stopped()) return;
        position = event.globalPosition;
        yield event;
      }
      if (batch.length < readAllLimit)
        await appended.wait(round, {
          timeoutMs: pollIntervalMs,
          ...(signal === undefined ? {} : { signal }),
        });
    }
  }

  return {
    appendToStream,
    appendIfLogAt,
    readStream,
    streamVersion: async (streamName) => Number(statements.stream.get(streamName)?.version ?? 0),
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
