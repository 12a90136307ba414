import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";

/**
 * The part of a PGlite instance (`@electric-sql/pglite`) the dialect uses. Structural, so this
 * package needs no PGlite dependency: pass `new PGlite(…)` as is.
 */
export interface PGliteDatabase {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number; command?: string }>;
  close(): Promise<void>;
}

export interface PGliteDialectOptions {
  /** Closed by `Kysely.destroy()`, as PostgresDialect ends its pool. */
  readonly pglite: PGliteDatabase;
}

const COUNTED_COMMANDS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

/**
 * PGlite is a single session: a transaction is whatever runs between BEGIN and COMMIT on it. So the
 * one connection is lent to one kysely caller at a time, in request order, until released; without
 * that, statements of concurrent transactions would interleave inside each other.
 */
const createPGliteDriver = (pglite: PGliteDatabase): Driver => {
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const { rows, affectedRows, command } = await pglite.query<R>(query.sql, [...query.parameters]);
      return COUNTED_COMMANDS.has(command ?? "")
        ? { rows, numAffectedRows: BigInt(affectedRows ?? 0) }
        : { rows };
    },
    // PGlite has no cursors: the whole result arrives at once and is handed out in chunks.
    async *streamQuery<R>(query: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
      const { rows } = await connection.executeQuery<R>(query);
      for (let start = 0; start < rows.length; start += chunkSize) {
        yield { rows: rows.slice(start, start + chunkSize) };
      }
    },
  };

  const run = (sql: string) => connection.executeQuery(CompiledQuery.raw(sql)).then(() => undefined);
  let queue: Promise<void> = Promise.resolve();
  let releaseHolder: (() => void) | undefined;

  return {
    async init() {},
    async acquireConnection() {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const previous = queue;
      queue = previous.then(() => held);
      await previous;
      releaseHolder = release;
      return connection;
    },
    beginTransaction: (_connection, settings: TransactionSettings) =>
      run(
        [
          "start transaction",
          settings.isolationLevel && `isolation level ${settings.isolationLevel}`,
          settings.accessMode,
        ]
          .filter(Boolean)
          .join(" "),
      ),
    commitTransaction: () => run("commit"),
    rollbackTransaction: () => run("rollback"),
    async releaseConnection() {
      const release = releaseHolder;
      releaseHolder = undefined;
      release?.();
    },
    destroy: () => pglite.close(),
  };
};

/**
 * Kysely on PGlite: Postgres SQL, adapter and introspection, with a driver that runs queries on the
 * one PGlite session. PGlite returns int8 as a number when it fits 2^53 and a bigint otherwise, bytea
 * as a Uint8Array, and parses jsonb and timestamptz like pg does.
 *
 * Savepoints are not supported (kysely says so when one is asked for).
 */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGliteDatabase;

  constructor(options: PGliteDialectOptions) {
    this.#pglite = options.pglite;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return createPGliteDriver(this.#pglite);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}
