import {
  type AppendResult,
  type ExpectedStreamVersion,
  ExpectedVersionConflictError,
  type GuardedAppendResult,
  isExpectedVersion,
} from "@berth/engine";
import type BetterSqlite3 from "better-sqlite3";
import { type EventStatements, toRecordedEvent } from "./event-statements.js";

/** An event as the transactions write it: its type and its data already serialized to JSON. */
export interface EventRowToWrite {
  readonly type: string;
  readonly json: string;
}

/**
 * The store's two writes, each one IMMEDIATE transaction when called with `.immediate`: an append
 * (the stream's version read, the expectation checked, every insert) and the same append guarded by
 * the log's last position, which hands back what was committed after it instead of writing.
 */
export interface AppendTransactions {
  readonly append: BetterSqlite3.Transaction<
    (
      streamName: string,
      events: ReadonlyArray<EventRowToWrite>,
      expected: ExpectedStreamVersion | undefined,
    ) => AppendResult
  >;
  readonly guardedAppend: BetterSqlite3.Transaction<
    (
      streamName: string,
      events: ReadonlyArray<EventRowToWrite>,
      expected: ExpectedStreamVersion | undefined,
      position: bigint,
    ) => GuardedAppendResult
  >;
}

export const appendTransactions = (
  database: BetterSqlite3.Database,
  statements: EventStatements,
  clock: () => number,
  readAllLimit: number,
): AppendTransactions => {
  const append = database.transaction(
    (
      streamName: string,
      events: ReadonlyArray<EventRowToWrite>,
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
      events: ReadonlyArray<EventRowToWrite>,
      expected: ExpectedStreamVersion | undefined,
      position: bigint,
    ): GuardedAppendResult => {
      const logPosition = statements.logPosition.get()?.position ?? 0n;
      if (logPosition !== position)
        return { missed: statements.readAll.all(position, readAllLimit).map(toRecordedEvent), logPosition };
      return { appended: append(streamName, events, expected) };
    },
  );

  return { append, guardedAppend };
};
