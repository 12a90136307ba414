import { type AppendResult, ExpectedVersionConflictError } from "@berth/engine";
import { type Kysely, sql } from "kysely";
import { type AppendRow, type AppendStatementInput, appendStatement } from "./append-statement.js";
import type { BerthDatabase } from "./schema.js";
import { ADVISORY_LOCK_NAMESPACE } from "./schema-key.js";
import { isUniqueViolation } from "./unique-violation.js";

/**
 * Runs one append: the append statement in a transaction that first takes the schema's advisory
 * lock (`lockKey`), or on its own when there are no events (it then only checks the expectation).
 * A failed expectation, or a unique violation, is an ExpectedVersionConflictError.
 */
export const appendEvents = async (
  db: Kysely<BerthDatabase>,
  lockKey: number,
  input: AppendStatementInput,
): Promise<AppendResult> => {
  const { streamName, events, expected } = input;
  const statement = appendStatement(input);
  const run = async (): Promise<AppendRow | undefined> => {
    // Nothing to write, nothing to order: check the expectation without the lock.
    if (events.length === 0) return (await statement.execute(db)).rows[0];
    // Round trips: BEGIN, lock, the append statement, COMMIT.
    return db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_NAMESPACE}::int, ${lockKey}::int)`.execute(trx);
      return (await statement.execute(trx)).rows[0];
    });
  };
  let row: AppendRow | undefined;
  try {
    row = await run();
  } catch (error) {
    // Only a writer that bypasses the lock can get here; its row won, ours did not: a conflict.
    if (!isUniqueViolation(error)) throw error;
    throw new ExpectedVersionConflictError(streamName, expected ?? "ANY", undefined);
  }
  if (row === undefined) throw new Error("The append statement returned no row");
  if (!row.satisfied) throw new ExpectedVersionConflictError(streamName, expected ?? "ANY", row.version);
  return {
    nextExpectedStreamVersion: row.version + events.length,
    lastGlobalPosition: BigInt(row.last_position ?? 0),
  };
};
