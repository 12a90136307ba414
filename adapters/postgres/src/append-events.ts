import {
  type AppendResult,
  type EventToAppend,
  type ExpectedStreamVersion,
  ExpectedVersionConflictError,
  type GuardedAppendResult,
  JointStepFailedError,
} from "@berth/engine";
import { type Kysely, type Selectable, sql } from "kysely";
import { toRecordedEvent } from "./event-row.js";
import type { PostgresJointStep } from "./joint-steps.js";
import { nameStatement } from "./named-statements.js";
import type { BerthDatabase, EventsTable } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

/** Whether a driver error is berth_append_after's step that could not be carried out (BRJ01). */
const isJointStepFailure = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && error.code === "BRJ01";

export interface AppendInput {
  readonly schema: string;
  readonly streamName: string;
  readonly events: ReadonlyArray<EventToAppend>;
  readonly expected: ExpectedStreamVersion | undefined;
}

/** A row of berth_append (migration 0004); int8 columns come as strings from pg, numbers from PGlite. */
type AppendCallRow = Omit<Selectable<EventsTable>, "global_position"> & {
  readonly outcome: "appended" | "conflict" | "missed";
  readonly global_position: string | null;
  readonly log_position: string | null;
};

/** The expectation as berth_append takes it: null for ANY, -1 for STREAM_EXISTS, else the version. */
const expectedArgument = (expected: ExpectedStreamVersion | undefined): number | null => {
  switch (expected) {
    case undefined:
    case "ANY":
      return null;
    case "NO_STREAM":
      return 0;
    case "STREAM_EXISTS":
      return -1;
    default:
      return expected;
  }
};

/**
 * One append in one round trip: `berth_append` takes the schema's advisory lock, checks the
 * expectation (and, with `after`, that the log still ends there), inserts and notifies, all in the
 * call's own autocommit transaction. A failed expectation, or a unique violation, is an
 * ExpectedVersionConflictError; a log that moved past `after` gives back what it missed.
 */
export const appendEvents = async (
  db: Kysely<BerthDatabase>,
  { schema, streamName, events, expected }: AppendInput,
  guard?: { readonly after: bigint; readonly maxMissed: number },
  step?: PostgresJointStep,
): Promise<GuardedAppendResult> => {
  const json = JSON.stringify(events.map(({ type, data }) => ({ type, data: data ?? null })));
  const after = guard?.after.toString() ?? null;
  let rows: ReadonlyArray<AppendCallRow>;
  try {
    const call = (
      step === undefined
        ? sql<AppendCallRow>`select * from ${sql.id(schema, "berth_append")}(${streamName}, ${json}::jsonb, ${expectedArgument(expected)}::int, ${after}::bigint, ${guard?.maxMissed ?? 0}::int)`
        : sql<AppendCallRow>`select * from ${sql.id(schema, "berth_append_after")}(${step.kind}, ${step.uploadId}, ${step.offset}::bigint, ${step.text}::text, ${step.bytes}::bytea, ${streamName}, ${json}::jsonb, ${expectedArgument(expected)}::int, ${after}::bigint)`
    ).compile(db);
    nameStatement(call.sql); // the same text for every append: planned once per connection
    ({ rows } = await db.executeQuery(call));
  } catch (error) {
    if (isJointStepFailure(error)) throw new JointStepFailedError((error as Error).message);
    // Only a writer that bypasses the lock can get here; its row won, ours did not: a conflict.
    if (!isUniqueViolation(error)) throw error;
    throw new ExpectedVersionConflictError(streamName, expected ?? "ANY", undefined);
  }
  const first = rows[0];
  if (first === undefined) throw new Error("berth_append returned no row");
  if (first.outcome === "missed") {
    return {
      // A joint call's row only says where the log ends: the caller reads what it missed.
      missed:
        step === undefined
          ? rows.map((row) => toRecordedEvent({ ...row, global_position: String(row.global_position) }))
          : [],
      logPosition: BigInt(first.log_position ?? 0),
    };
  }
  if (first.outcome === "conflict")
    throw new ExpectedVersionConflictError(streamName, expected ?? "ANY", first.stream_version);
  const appended: AppendResult = {
    nextExpectedStreamVersion: first.stream_version + events.length,
    lastGlobalPosition: BigInt(first.global_position ?? 0),
  };
  step?.committed();
  return { appended };
};
