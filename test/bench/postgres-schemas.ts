/**
 * PostgreSQL for the benchmarks: every schema a run creates is named after the run and dropped when
 * it ends (also when it fails), so runs never see each other's data.
 */
import pg from "pg";

export interface BenchDatabase {
  readonly url: string;
  /** `PostgreSQL 15.x` as the server reports it. */
  readonly version: string;
  /** A fresh schema name for `purpose` (created by whoever migrates it). */
  schema(purpose: string): string;
  /** Runs `f` on a single connection of its own, closed afterwards. */
  withClient<A>(f: (client: pg.Client) => Promise<A>): Promise<A>;
  /** Drops every schema `schema()` handed out. */
  dropAll(): Promise<void>;
}

export async function openBenchDatabase(url: string): Promise<BenchDatabase> {
  const withClient = async <A>(f: (client: pg.Client) => Promise<A>): Promise<A> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await f(client);
    } finally {
      await client.end();
    }
  };
  let version: string;
  try {
    version = await withClient(
      async (client) => (await client.query("show server_version")).rows[0].server_version,
    );
  } catch (error) {
    throw new Error(
      `The benchmarks need PostgreSQL at DATABASE_URL (${url}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const run = `bench_${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_${process.pid}`;
  const handedOut: string[] = [];
  return {
    url,
    version: `PostgreSQL ${version.split(" ")[0]}`,
    schema(purpose) {
      const name = `${run}_${purpose}`;
      handedOut.push(name);
      return name;
    },
    withClient,
    async dropAll() {
      if (handedOut.length === 0) return;
      await withClient(async (client) => {
        for (const name of handedOut.splice(0)) await client.query(`drop schema if exists "${name}" cascade`);
      });
    },
  };
}

/** Rows of the events table, as a bench writes them straight into PostgreSQL. */
export interface EventRow {
  readonly stream_name: string;
  readonly stream_version: number;
  readonly type: string;
  readonly data: unknown;
}

/** Inserts `rows` into `table` in one statement, in their order (one JSON parameter, not one per value). */
export const insertEventRows = (client: pg.Client, table: string, rows: ReadonlyArray<EventRow>) =>
  client.query(
    `insert into ${table} (stream_name, stream_version, type, data)
     select r.stream_name, r.stream_version, r.type, r.data
     from rows from (jsonb_to_recordset($1::jsonb) as (stream_name text, stream_version int, type text, data jsonb))
       with ordinality as r(stream_name, stream_version, type, data, n)
     order by r.n`,
    [JSON.stringify(rows)],
  );
