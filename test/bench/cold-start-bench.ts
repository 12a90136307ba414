/**
 * 5 (part). Cold start on PostgreSQL: a new process, new stores and a new createRegistry on a log
 * about one repository, timed from process start to the end of its first command
 * (cold-start-process.ts, bundled as the `berth` CLI is bundled: `pnpm bench` builds it into
 * test/bench/dist/bundle/), at each size of the config (100,000 and 1,000,000 events in a full run):
 * - folding the whole log (no snapshot), beside the raw read of the same rows with pg alone, also
 *   from a fresh process over one connection in the engine's 1,000-row keyset pages (the limit of
 *   any fold), and beside the target (issue 13: < 1 s at 100,000 events, < 2 s at 1,000,000);
 * - from a state snapshot taken `snapshotLag` events before the end of the log (half the default
 *   --snapshot-every: the average lag a restart finds), beside the same target;
 * - what writing that snapshot cost: the longest stretch it held the event loop, beside encoding
 *   the copied state in one go (no slicing: the stall it would have been).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type BerthEvent, streamOf } from "@berth/core";
import { BERTH_NODE_FLAGS } from "@berth/server";
import type { BenchConfig } from "./config.js";
import { postgresRegistry } from "./engine-fixtures.js";
import { type BenchDatabase, insertEventRows } from "./postgres-schemas.js";
import { formatNumber, type Row } from "./report.js";
import { countByType, imageManifest, realisticLog } from "./workload.js";

const child = fileURLToPath(new URL("./bundle/cold-start-process.js", import.meta.url));
const repositoryName = "bench/cold-start";

type Timings = Record<string, number> & {
  processStartToFirstCommandMs: number;
  createRegistryToFirstCommandMs: number;
};
type SnapshotWrite = {
  foldMs: number;
  bytes: number;
  captureMs: number;
  encodeMs: number;
  longestSliceMs: number;
  saveMs: number;
};

/** Inserts `log[from, to)` as rows, 1,000 to a statement, with the stream versions they take. */
const insertRows = async (
  database: BenchDatabase,
  schema: string,
  log: ReadonlyArray<BerthEvent>,
  versions: Map<string, number>,
  [from, to]: readonly [number, number],
) => {
  const table = `"${schema}".events`;
  await database.withClient(async (client) => {
    for (let i = from; i < to; i += 1000) {
      const rows = log.slice(i, Math.min(i + 1000, to)).map((event) => {
        const stream = streamOf(event);
        const version = (versions.get(stream) ?? 0) + 1;
        versions.set(stream, version);
        return { stream_name: stream, stream_version: version, type: event.type, data: event.data };
      });
      await insertEventRows(client, table, rows);
    }
    await client.query(`vacuum analyze ${table}`);
  });
};

/** A PutImage of the base layers always passes: they are linked when the repository is created. */
const manifestOver = (log: ReadonlyArray<BerthEvent>) => {
  const base = log
    .filter((e) => e.type === "LayerLinked")
    .map((e) => e.data as { layerDigest: string; size: number });
  return imageManifest(
    { digest: base[1]!.layerDigest as never, size: base[1]!.size },
    [{ digest: base[0]!.layerDigest as never, size: base[0]!.size }],
    "@REVISION@",
  );
};

async function coldStartAt(
  database: BenchDatabase,
  size: { readonly events: number; readonly targetMs: number },
  snapshotLag: number,
  withRawLimit: boolean,
): Promise<Row[]> {
  const schema = database.schema(`coldstart_${size.events}`);
  await (await postgresRegistry(database.url, schema)).close(); // creates and migrates the schema
  const log = realisticLog({ repositories: [repositoryName as never], events: size.events, seed: 2 });
  const env = {
    ...process.env,
    BENCH_DATABASE_URL: database.url,
    BENCH_SCHEMA: schema,
    BENCH_REPOSITORY: repositoryName,
    BENCH_MANIFEST: manifestOver(log),
  };
  const runChild = async <T>(args: string[]): Promise<T> => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--max-old-space-size=8192", ...BERTH_NODE_FLAGS, child, ...args],
      { env, maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
  };

  const versions = new Map<string, number>();
  const snapshotAt = Math.max(0, log.length - snapshotLag);
  await insertRows(database, schema, log, versions, [0, snapshotAt]);
  const written = await runChild<SnapshotWrite>(["snapshot-write"]);
  await insertRows(database, schema, log, versions, [snapshotAt, log.length]);
  const rawReadMs = withRawLimit ? (await runChild<{ readMs: number }>(["raw"])).readMs : undefined;
  const fromLog = await runChild<Timings>([]);
  const fromSnapshot = await runChild<Timings>(["snapshot"]);

  const events = `${formatNumber(log.length)} events`;
  const target = { name: `target (< ${size.targetMs / 1000} s)`, value: size.targetMs, unit: "ms" };
  const latency = { section: "5", unit: "ms", higherIsBetter: false } as const;
  const rows: Row[] = [];
  if (rawReadMs !== undefined) {
    rows.push({
      ...latency,
      name: `cold start on PostgreSQL, ${events}, no snapshot: createRegistry → 1st PutImage done`,
      value: fromLog.createRegistryToFirstCommandMs,
      limit: { name: "raw pg read of the same rows", value: rawReadMs, unit: "ms" },
      details: {
        ...fromLog,
        rawReadMs,
        events: log.length,
        repositoryStreamEvents: versions.get(`repository-000000000000-${repositoryName}`),
        byType: countByType(log),
      },
    });
  }
  rows.push(
    {
      ...latency,
      name: `cold start on PostgreSQL, ${events}, no snapshot: process start → 1st PutImage done`,
      value: fromLog.processStartToFirstCommandMs,
      limit: target,
      target: 1,
      details: fromLog,
    },
    {
      ...latency,
      name: `cold start on PostgreSQL, ${events}, snapshot ${formatNumber(snapshotLag)} events behind: process start → 1st PutImage done`,
      value: fromSnapshot.processStartToFirstCommandMs,
      limit: target,
      target: 1,
      details: fromSnapshot,
    },
    {
      ...latency,
      name: `state snapshot of ${formatNumber(snapshotAt)} events (${formatNumber(written.bytes / 1024 / 1024)} MiB gzipped): longest event-loop stall writing it`,
      value: Math.max(written.captureMs, written.longestSliceMs),
      limit: { name: "copy + encode in one go", value: written.captureMs + written.encodeMs, unit: "ms" },
      details: written,
    },
  );
  return rows;
}

export async function benchColdStart(config: BenchConfig, database: BenchDatabase): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [i, size] of config.coldStartSizes.entries())
    rows.push(...(await coldStartAt(database, size, config.snapshotLag, i === 0)));
  return rows;
}
