/**
 * 2 (part). The append ceiling of one schema: every append takes the schema's advisory lock and
 * holds it until its commit is flushed, so positions commit in order (DESIGN §2), and all Berth
 * processes on one database together append no faster than one lock holder after another. Measured
 * straight on the database, with no Berth process in the way: eight connections each calling
 * `berth_append` with a PutImage-sized event in a loop, beside eight connections each running the
 * single-row INSERT of the one-connection limit into a copy of the events table (what eight
 * callers get without the lock). Rounds interleave the two; medians are reported.
 */
import { createPostgresStorage } from "@berth/adapter-postgres";
import pg from "pg";
import type { BenchConfig } from "./config.js";
import { interleaved, throughput } from "./measure.js";
import type { BenchDatabase } from "./postgres-schemas.js";
import type { Row } from "./report.js";
import { imageManifest, imagePushed, sha256Of } from "./workload.js";

const CONNECTIONS = 8;

export async function benchAppendCeiling(config: BenchConfig, database: BenchDatabase): Promise<Row[]> {
  const schema = database.schema("ceiling");
  await (await createPostgresStorage({ connectionString: database.url, schema })).close(); // migrated
  // As many connections as loops: each loop's statement has a connection to itself.
  const pool = new pg.Pool({ connectionString: database.url, max: CONNECTIONS });
  try {
    await pool.query(`create table "${schema}".raw_events (like "${schema}".events including all)`);
    const blob = { digest: sha256Of("ceiling"), size: 1 };
    const manifest = imageManifest(blob, [blob], "ceiling");
    const event = imagePushed("bench/ceiling" as never, manifest, [blob, blob], "v1", Date.now());
    const data = JSON.stringify(event.data);
    const events = JSON.stringify([{ type: "ImagePushed", data: event.data }]);
    const append = {
      name: "ceiling_append",
      text: `select outcome from "${schema}".berth_append($1, $2::jsonb, null, null, 0)`,
    };
    const insert = `insert into "${schema}".raw_events (stream_name, stream_version, type, data) values ($1, $2, $3, $4)`;
    const loops = { seconds: config.commandSeconds, concurrency: CONNECTIONS };
    const perSecond = async (op: (n: number) => Promise<unknown>) => (await throughput(op, loops)).perSecond;
    let inserted = 0; // a version of its own for every INSERT into one stream, across all runs
    const measurements = {
      raw: () => perSecond(() => pool.query(insert, ["raw", ++inserted, "ImagePushed", data])),
      append: () =>
        perSecond((n) =>
          pool.query({
            ...append,
            values: [`repository-000000000000-bench/ceiling-${n % CONNECTIONS}`, events],
          }),
        ),
    };
    await measurements.raw(); // warm-up: connections, plans, the tables' first pages
    await measurements.append();
    const sampled = await interleaved(config.rounds, measurements);
    return [
      {
        section: "2",
        name: `appends/s into one schema, ${CONNECTIONS} connections calling berth_append (all Berth processes together)`,
        value: sampled.append.median,
        unit: "ops/s",
        higherIsBetter: true,
        limit: { name: `raw INSERT tx/s (${CONNECTIONS} conns)`, value: sampled.raw.median, unit: "tx/s" },
        details: { appendSamples: sampled.append.samples, rawSamples: sampled.raw.samples },
      },
    ];
  } finally {
    await pool.end();
  }
}
