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
import { interleaved, now } from "./measure.js";
import type { BenchDatabase } from "./postgres-schemas.js";
import type { Row } from "./report.js";
import { imageManifest, imagePushed, sha256Of } from "./workload.js";

const CONNECTIONS = 8;

/** Ops/s of `CONNECTIONS` loops, each calling `op(client, loop)` on its own connection until the time is up. */
const together = async (
  clients: ReadonlyArray<pg.Client>,
  seconds: number,
  op: (client: pg.Client, loop: number) => Promise<unknown>,
): Promise<number> => {
  const started = now();
  const deadline = started + seconds * 1000;
  let ops = 0;
  await Promise.all(
    clients.map(async (client, loop) => {
      while (now() < deadline) {
        await op(client, loop);
        ops++;
      }
    }),
  );
  return ops / ((now() - started) / 1000);
};

export async function benchAppendCeiling(config: BenchConfig, database: BenchDatabase): Promise<Row[]> {
  const schema = database.schema("ceiling");
  await (await createPostgresStorage({ connectionString: database.url, schema })).close(); // migrated
  const clients = Array.from(
    { length: CONNECTIONS },
    () => new pg.Client({ connectionString: database.url }),
  );
  try {
    await Promise.all(clients.map((client) => client.connect()));
    await clients[0]!.query(`create table "${schema}".raw_events (like "${schema}".events including all)`);
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
    const versions = clients.map(() => 0);
    const measurements = {
      raw: () =>
        together(clients, config.commandSeconds, (client, loop) =>
          client.query(insert, [`raw-${loop}`, ++versions[loop]!, "ImagePushed", data]),
        ),
      append: () =>
        together(clients, config.commandSeconds, (client, loop) =>
          client.query({ ...append, values: [`repository-000000000000-bench/ceiling-${loop}`, events] }),
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
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
}
