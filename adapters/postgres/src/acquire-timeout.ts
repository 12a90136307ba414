import { StorageBusyError } from "@berth/engine";
import type { PostgresPool } from "kysely";
import type pg from "pg";
import { namingClient } from "./named-statements.js";

/**
 * pg's answers when `connectionTimeoutMillis` passes: waiting for a pooled connection, or opening a
 * new one. Matched by message, as pg gives these errors no code.
 */
const ACQUIRE_TIMEOUT =
  /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout)$/;

/**
 * The pool as kysely sees it, with pg's acquire timeout turned into the engine's StorageBusyError,
 * so a front end answers "busy, retry" (503, ServerException) rather than a bug; its clients send
 * the adapter's fixed statements by name (named-statements.ts).
 */
export const busyWhenTimedOut = (pool: pg.Pool, timeoutMs: number | undefined): PostgresPool => ({
  connect: () =>
    pool.connect().then(namingClient, (error: unknown) => {
      if (!(error instanceof Error) || !ACQUIRE_TIMEOUT.test(error.message)) throw error;
      const waited = timeoutMs === undefined ? "" : ` within ${timeoutMs} ms`;
      throw new StorageBusyError(`No PostgreSQL connection was free${waited}: all are busy`, 1, {
        cause: error,
      });
    }),
  end: () => pool.end(),
});
