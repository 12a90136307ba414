/**
 * `pnpm bench`: every benchmark in one run, each figure beside its limit measured in the same run
 * on the same machine. Prints one table and writes everything (with samples and machine details)
 * to bench/results/<timestamp>.json at the repository root.
 *
 *   pnpm bench            full run (~8 minutes on 2 cores, plus 20–40 for `scale` at 1,000,000 images)
 *   pnpm bench --smoke    every row with tiny sizes, in seconds (CI); also BENCH_SMOKE=1
 *   pnpm bench --only=fold,layers   a subset: fold, commands, layers, http, growth, coldstart,
 *                                   slowclients, parse, embedded, v2bytes, pullthrough, scale
 *
 * PostgreSQL comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each run
 * works in schemas of its own, dropped at the end.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { benchColdStart } from "./cold-start-bench.js";
import { benchCommands } from "./command-bench.js";
import { benchConfig } from "./config.js";
import { benchEmbedded } from "./embedded-bench.js";
import { benchFold } from "./fold-bench.js";
import { benchGrowth } from "./growth-bench.js";
import { benchHttp, benchHttpGrowth } from "./http-bench.js";
import { closeConnections } from "./http-client.js";
import { benchLayerBytes } from "./layer-bench.js";
import { now } from "./measure.js";
import { benchParse } from "./parse-bench.js";
import { openBenchDatabase } from "./postgres-schemas.js";
import { benchPullThrough } from "./pull-through-bench.js";
import { describeMachine, type Row, ratioOf, renderMachine, renderTable, targetMet } from "./report.js";
import { benchScale } from "./scale-bench.js";
import { benchSlowClients } from "./slow-client-bench.js";
import { benchV2Bytes } from "./v2-bytes-bench.js";

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--smoke" && !arg.startsWith("--only="));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown argument ${unknown.join(" ")}; usage: pnpm bench [--smoke] [--only=fold,commands,…]\n`,
  );
  process.exit(2);
}
const smoke = args.includes("--smoke") || ["1", "true"].includes(process.env.BENCH_SMOKE ?? "");
const only = args
  .find((arg) => arg.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const config = benchConfig(smoke, process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");
const root = fileURLToPath(new URL("../../../", import.meta.url));

const database = await openBenchDatabase(config.databaseUrl);
const machine = describeMachine(database.version);
const sections: ReadonlyArray<[string, () => Promise<Row[]>]> = [
  ["fold", () => benchFold(config)],
  ["commands", () => benchCommands(config, database)],
  ["layers", () => benchLayerBytes(config)],
  ["http", () => benchHttp(config)],
  ["growth", async () => [...(await benchGrowth(config)), ...(await benchHttpGrowth(config))]],
  ["coldstart", () => benchColdStart(config, database)],
  ["slowclients", () => benchSlowClients(config, database)],
  ["parse", async () => benchParse(config)],
  ["embedded", () => benchEmbedded(config)],
  ["v2bytes", () => benchV2Bytes(config, database)],
  ["pullthrough", () => benchPullThrough(config)],
  ["scale", () => benchScale(config, database)],
];

const rows: Row[] = [];
const durations: Record<string, number> = {};
const started = now();
try {
  for (const [name, run] of sections) {
    if (only !== undefined && !only.includes(name)) continue;
    const t0 = now();
    process.stderr.write(`bench: ${name}…`);
    rows.push(...(await run()));
    durations[name] = Math.round(now() - t0);
    process.stderr.write(` ${(durations[name] / 1000).toFixed(1)} s\n`);
  }
} finally {
  closeConnections();
  // BENCH_KEEP_SCHEMAS=1 leaves the section's schemas in place, to profile a run afterwards.
  if (process.env.BENCH_KEEP_SCHEMAS !== "1") await database.dropAll();
}

const title = `Berth benchmarks (${smoke ? "SMOKE: tiny sizes, figures mean nothing" : "full run"}), ${new Date().toISOString()}`;
process.stdout.write(`\n${title}\n${renderMachine(machine)}\n\n${renderTable(rows)}\n`);

const withTargets = rows.filter((row) => targetMet(row) !== undefined);
const missed = withTargets.filter((row) => targetMet(row) === false);
process.stdout.write(
  `\nTargets: ${withTargets.length - missed.length} of ${withTargets.length} met${missed.length === 0 ? "" : `; missed: ${missed.map((row) => row.name).join("; ")}`}.${smoke ? " (A smoke run: sizes far too small for the targets to mean anything.)" : ""}\n`,
);

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const directory = `${root}bench/results`;
mkdirSync(directory, { recursive: true });
const file = `${directory}/${stamp}${smoke ? "-smoke" : ""}.json`;
writeFileSync(
  file,
  `${JSON.stringify(
    {
      title,
      smoke,
      machine: { ...machine, loadAverageAtEnd: Math.round(loadavg()[0]! * 100) / 100 },
      config: { ...config, databaseUrl: config.databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@") },
      durationsMs: { ...durations, total: Math.round(now() - started) },
      rows: rows.map((row) => ({ ...row, ratio: ratioOf(row), targetMet: targetMet(row) })),
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`Results: ${file.slice(root.length)}\n`);
