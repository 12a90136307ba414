/**
 * 5 (part). Cold start on PostgreSQL: a new process, new stores and a new createRegistry on a log of
 * 100,000 events about one repository, timed to the end of its first command (cold-start-process.ts).
 * The limit: reading the same rows with pg alone, also from a fresh process over one connection, in
 * the same 1,000-row keyset pages the engine's catch-up asks for, and doing nothing with them.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { streamOf } from "@berth/core";
import type { BenchConfig } from "./config.js";
import { postgresRegistry } from "./engine-fixtures.js";
import type { BenchDatabase } from "./postgres-schemas.js";
import { formatNumber, type Row } from "./report.js";
import { countByType, imageManifest, realisticLog } from "./workload.js";

const child = fileURLToPath(new URL("./cold-start-process.js", import.meta.url));

export async function benchColdStart(config: BenchConfig, database: BenchDatabase): Promise<Row[]> {
  const schema = database.schema("coldstart");
  const repositoryName = "bench/cold-start";
  await (await postgresRegistry(database.url, schema)).close(); // creates and migrates the schema

  const log = realisticLog({
    repositories: [repositoryName as never],
    events: config.coldStartEvents,
    seed: 2,
  });
  const versions = new Map<string, number>();
  const rows = log.map((event) => {
    const stream = streamOf(event);
    const version = (versions.get(stream) ?? 0) + 1;
    versions.set(stream, version);
    return { stream_name: stream, stream_version: version, type: event.type, data: event.data };
  });
  const table = `"${schema}".events`;
  await database.withClient(async (client) => {
    for (let i = 0; i < rows.length; i += 1000) {
      await client.query(
        `insert into ${table} (stream_name, stream_version, type, data)
         select r.stream_name, r.stream_version, r.type, r.data
         from rows from (jsonb_to_recordset($1::jsonb) as (stream_name text, stream_version int, type text, data jsonb))
           with ordinality as r(stream_name, stream_version, type, data, n)
         order by r.n`,
        [JSON.stringify(rows.slice(i, i + 1000))],
      );
    }
    await client.query(`vacuum analyze ${table}`);
  });

  // The base layers are linked when the repository is created: a manifest of them always passes.
  const base = log
    .filter((e) => e.type === "LayerLinked")
    .map((e) => e.data as { layerDigest: string; size: number });
  const manifest = imageManifest(
    { digest: base[1]!.layerDigest as never, size: base[1]!.size },
    [{ digest: base[0]!.layerDigest as never, size: base[0]!.size }],
    "@REVISION@",
  );
  const env = {
    ...process.env,
    BENCH_DATABASE_URL: database.url,
    BENCH_SCHEMA: schema,
    BENCH_REPOSITORY: repositoryName,
    BENCH_MANIFEST: manifest,
  };
  const runChild = async <T>(args: string[]): Promise<T> => {
    const { stdout } = await promisify(execFile)(process.execPath, [child, ...args], { env });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
  };
  const { readMs: rawReadMs } = await runChild<{ readMs: number }>(["raw"]);
  const timings = await runChild<
    Record<string, number> & { processStartToFirstCommandMs: number; createRegistryToFirstCommandMs: number }
  >([]);
  const limit = { name: "raw pg read of the same rows", value: rawReadMs, unit: "ms" };
  const events = `${formatNumber(log.length)} events`;
  const details = {
    ...timings,
    rawReadMs,
    events: log.length,
    repositoryStreamEvents: versions.get(`repository-000000000000-${repositoryName}`),
    byType: countByType(log),
  };
  return [
    {
      section: "5",
      name: `cold start on PostgreSQL, ${events}: createRegistry → 1st PutImage done`,
      value: timings.createRegistryToFirstCommandMs,
      unit: "ms",
      higherIsBetter: false,
      limit,
      details,
    },
    {
      section: "5",
      name: `cold start on PostgreSQL, ${events}: process start → 1st PutImage done`,
      value: timings.processStartToFirstCommandMs,
      unit: "ms",
      higherIsBetter: false,
      limit,
    },
  ];
}
