import { randomBytes } from "node:crypto";
import { type BerthDatabase, migrateToLatest } from "@berth/adapter-postgres";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";

/** A migrated schema of its own for one test file, on a shared server. */
export interface PostgresTestDatabase {
  readonly connectionString: string;
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly db: Kysely<BerthDatabase>;
  /** Drops the schema and ends the pool. */
  release(): Promise<void>;
}

const HOW_TO_PROVIDE = [
  "The Postgres suites need a database and found none.",
  "Either set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test,",
  "or run a Docker engine so that a throwaway container can be started (@testcontainers/postgresql).",
].join(" ");

/** testcontainers' answer when no Docker (or compatible) engine responds. */
const NO_CONTAINER_RUNTIME = /Could not find a working container runtime strategy/;

let server: Promise<string> | undefined;
let announced = false;

/**
 * A fresh schema, migrated, on DATABASE_URL when it is set, else on a Docker container started once
 * per process; throws with instructions when neither is there (never skips).
 */
export async function acquirePostgres(): Promise<PostgresTestDatabase> {
  server ??= startServer();
  const connectionString = await server;
  const schema = `berth_test_${randomBytes(4).toString("hex")}`;
  const pool = new pg.Pool({ connectionString, max: 20 });
  pool.on("error", () => {}); // a dropped idle connection is replaced on the next query
  const db = new Kysely<BerthDatabase>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db, schema);
  if (!announced) {
    announced = true;
    console.info(`[postgres] suites running against ${redacted(connectionString)} (schema ${schema})`);
  }
  return {
    connectionString,
    schema,
    pool,
    db,
    async release() {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    },
  };
}

/** acquirePostgres on first use, released after the file's tests when it was used. */
export function lazyPostgres(): { get(): Promise<PostgresTestDatabase>; release(): Promise<void> } {
  let database: Promise<PostgresTestDatabase> | undefined;
  return {
    get: () => {
      database ??= acquirePostgres();
      return database;
    },
    async release() {
      const acquired = await database?.catch(() => undefined);
      await acquired?.release();
    },
  };
}

/** DATABASE_URL wins when set: a container is started only when no database was named. */
async function startServer(): Promise<string> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== "") return url;
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  try {
    const container = await new PostgreSqlContainer("postgres:16-alpine").start();
    return container.getConnectionUri();
  } catch (error) {
    if (error instanceof Error && NO_CONTAINER_RUNTIME.test(error.message)) throw new Error(HOW_TO_PROVIDE);
    throw error;
  }
}

function redacted(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return "(unparsable connection string)";
  }
}

/**
 * A pg.Client that records the text of every statement it sends, for a pool (`{ Client }`): all
 * of a storage's connections, its LISTEN connection included.
 */
export function recordingClient(): { readonly Client: typeof pg.Client; readonly sent: string[] } {
  const sent: string[] = [];
  class RecordingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      const query = this.query.bind(this) as (...args: unknown[]) => unknown;
      (this as { query: unknown }).query = (...args: unknown[]) => {
        const text = args[0] as string | { text: string };
        sent.push(typeof text === "string" ? text : text.text);
        return query(...args);
      };
    }
  }
  return { Client: RecordingClient, sent };
}

/** A Kysely on `pool` that records the text of every statement it runs. */
export function recordingDb(pool: pg.Pool): {
  readonly db: Kysely<BerthDatabase>;
  readonly statements: string[];
} {
  const statements: string[] = [];
  const db = new Kysely<BerthDatabase>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      statements.push(event.query.sql);
    },
  });
  return { db, statements };
}
