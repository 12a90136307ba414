/**
 * 10. Scale (issue 13 item 6): resident memory ≤ 1 GiB with 1,000,000 images in 1,000 repositories
 * on PostgreSQL, while a manifest GET still answers in ≤ 5 ms.
 *
 * The log of scale-log.ts is written straight into a fresh schema (in large INSERTs, generated while
 * the previous one runs), then a fresh Berth process (scale-process.ts: createRegistry on the
 * PostgreSQL stores, createBerthServer on 127.0.0.1) starts twice: once folding the whole log (it
 * then saves a state snapshot), once from that snapshot. Each time: resident memory after a full GC
 * beside the 1 GiB target, the V8 heap for information, p50 and p99 of GET /v2/<repo>/manifests/<digest>
 * over images drawn from the whole history beside the 5 ms target, and process start → first answer.
 * A start that dies (out of memory) or passes the timeout gives rows that say "failed: <reason>".
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { serverNodeFlags } from "./bench-server.js";
import type { BenchConfig } from "./config.js";
import { postgresRegistry } from "./engine-fixtures.js";
import { MiB, now, percentile, timed } from "./measure.js";
import { type BenchDatabase, insertEventRows } from "./postgres-schemas.js";
import { formatNumber, type Row } from "./report.js";
import { type GetPass, type Gets, measureGets } from "./scale-gets.js";
import { rowsOf, ScaleLog, type ScaleShape } from "./scale-log.js";

const script = fileURLToPath(new URL("./scale-process.js", import.meta.url));
/** Images generated per INSERT (about 7.6 rows each). */
const IMAGES_PER_INSERT = 1_000;

/** Writes the whole log, generating each INSERT's rows while the previous one runs. */
async function writeLog(database: BenchDatabase, schema: string, shape: ScaleShape) {
  const table = `"${schema}".events`;
  const log = new ScaleLog(shape);
  return database.withClient(async (client) => {
    let events = 0;
    let pending: Promise<unknown> = Promise.resolve();
    for (let from = 0; from < shape.images; from += IMAGES_PER_INSERT) {
      const rows = rowsOf(log, from, Math.min(from + IMAGES_PER_INSERT, shape.images));
      events += rows.length;
      await pending;
      pending = insertEventRows(client, table, rows);
    }
    await pending;
    const vacuum = await timed(() => client.query(`vacuum analyze ${table}`));
    const size = await client.query(`select pg_total_relation_size($1) as bytes`, [table]);
    return { events, vacuumMs: vacuum.ms, tableBytes: Number(size.rows[0].bytes) };
  });
}

type Memory = { rss: number; heapUsed: number; external: number; arrayBuffers: number; gc: boolean };
type Ready = { port: number; timings: Record<string, number>; memory: Memory; snapshot: unknown[] };

/** The child's next IPC message, or an Error saying why none will come (exit, timeout). */
const nextMessage = <T>(
  child: ChildProcess,
  deadline: { readonly at: number; readonly seconds: number },
  stderr: () => string,
): Promise<T> =>
  new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (message: unknown) => {
      done();
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      // The error's own line (`RangeError: …`, `FATAL ERROR: …`), else the last line written.
      const lines = stderr().trim().split("\n");
      const last = lines.find((line) => /Error\b|FATAL/.test(line)) ?? lines.at(-1) ?? "";
      reject(
        new Error(`exited with ${signal ?? `code ${code}`}${last === "" ? "" : `: ${last.slice(0, 300)}`}`),
      );
    };
    const timer = setTimeout(
      () => {
        done();
        reject(new Error(`did not finish within the ${deadline.seconds} s timeout`));
      },
      Math.max(0, deadline.at - now()),
    );
    child.on("message", onMessage);
    child.on("exit", onExit);
  });

export interface StartFigures {
  readonly ready: Ready;
  readonly gets: Gets;
  readonly afterGets: Memory;
  /** What saveSnapshot wrote (the first start), or why it failed: the second start then has no figures. */
  readonly saved?: { readonly saveMs: number; readonly snapshot: unknown } | { readonly error: string };
}

/** One start of scale-process.ts: its figures, or why it failed. */
async function startOnce(
  config: BenchConfig,
  database: BenchDatabase,
  schema: string,
  shape: ScaleShape,
  saveSnapshot: boolean,
  seed: number,
): Promise<StartFigures | { failed: string }> {
  const started = now();
  // The timeout bounds the start with its GETs, and then saveSnapshot on its own.
  const deadline = { at: started + config.scaleTimeoutSeconds * 1000, seconds: config.scaleTimeoutSeconds };
  const child = fork(script, [], {
    execArgv: ["--expose-gc", `--max-old-space-size=${config.scaleHeapMiB}`, ...serverNodeFlags()],
    env: { ...process.env, BENCH_DATABASE_URL: database.url, BENCH_SCHEMA: schema },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4_000);
  });
  const next = <T>() => nextMessage<T>(child, deadline, () => stderr);
  try {
    const ready = await next<Ready>();
    const gets = await measureGets(database, schema, {
      port: ready.port,
      shape,
      count: config.scaleGets,
      seed,
      forkedAt: started,
    });
    child.send("memory");
    const { memory: afterGets } = await next<{ memory: Memory }>();
    let saved: StartFigures["saved"];
    if (saveSnapshot) {
      deadline.at = now() + config.scaleTimeoutSeconds * 1000;
      child.send("snapshot");
      saved = await next<NonNullable<StartFigures["saved"]>>().catch((error: Error) => ({
        error: error.message,
      }));
    }
    return { ready, gets, afterGets, ...(saved === undefined ? {} : { saved }) };
  } catch (error) {
    return { failed: error instanceof Error ? error.message : String(error) };
  } finally {
    const exited = once(child, "exit");
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.disconnect();
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(kill);
    }
  }
}

/** p50 and p99 of a pass of GETs beside the 5 ms target, or why there are none. */
function getRows(
  what: string,
  scale: string,
  pass: GetPass | undefined,
  failed: { failed: string } | undefined,
): Row[] {
  const ms = pass?.ms ?? [];
  const broken =
    failed ??
    (pass !== undefined && pass.failures > 0
      ? { failed: `${pass.failures} of ${pass.sent} GETs: ${pass.firstFailure?.slice(0, 160)}` }
      : undefined);
  const row = {
    section: "10",
    unit: "ms",
    higherIsBetter: false,
    limit: { name: "target (≤ 5 ms)", value: 5, unit: "ms" },
    target: 1,
  } as const;
  const details = { ...pass, p90: percentile(ms, 90), max: Math.max(...ms) };
  return [
    { ...row, name: `manifest GET p50, ${what}, ${scale}`, value: percentile(ms, 50), details, ...broken },
    { ...row, name: `manifest GET p99, ${what}, ${scale}`, value: percentile(ms, 99), ...broken },
  ];
}

/** The rows of one start (each saying "failed: …" when the start failed). */
function startRows(how: string, shape: ScaleShape, figures: StartFigures | { failed: string }): Row[] {
  const scale = `${formatNumber(shape.images)} images / ${formatNumber(shape.repositories)} repos on PostgreSQL, ${how}`;
  const failed = "failed" in figures ? { failed: figures.failed, value: Number.NaN } : undefined;
  const ok = "failed" in figures ? undefined : figures;
  const details =
    ok === undefined ? {} : { ...ok.ready, afterGets: ok.afterGets, saved: ok.saved, settle: ok.gets.settle };
  const row = { section: "10", higherIsBetter: false } as const;
  return [
    {
      ...row,
      name: `resident memory after a full GC, ${scale}`,
      value: (ok?.ready.memory.rss ?? 0) / MiB,
      unit: "MiB",
      limit: { name: "target (≤ 1 GiB)", value: 1024, unit: "MiB" },
      target: 1,
      details,
      ...failed,
    },
    {
      ...row,
      name: `V8 heap used after a full GC, ${scale}`,
      value: (ok?.ready.memory.heapUsed ?? 0) / MiB,
      unit: "MiB",
      ...failed,
    },
    ...getRows("1st pulls of random images (each records its pull time)", scale, ok?.gets.firstPulls, failed),
    ...getRows("the same images again (no pull time due)", scale, ok?.gets.repeatPulls, failed),
    {
      ...row,
      name: `process start → 1st manifest GET answered, ${scale}`,
      value: ok?.gets.firstAnswerMs ?? 0,
      unit: "ms",
      ...failed,
    },
  ];
}

/** Why the first start left no snapshot to start from, if it did not. */
const whyNoSnapshot = (fromLog: StartFigures | { failed: string }): string | undefined => {
  if ("failed" in fromLog) return "the start from the log failed";
  if (fromLog.saved === undefined) return "none was saved";
  return "error" in fromLog.saved ? `saveSnapshot: ${fromLog.saved.error}` : undefined;
};

export async function benchScale(config: BenchConfig, database: BenchDatabase): Promise<Row[]> {
  const shape = { images: config.scaleImages, repositories: config.scaleRepositories };
  const schema = database.schema("scale");
  await (await postgresRegistry(database.url, schema)).close(); // creates and migrates the schema
  try {
    const written = await timed(() => writeLog(database, schema, shape));
    process.stderr.write(
      ` (log: ${formatNumber(written.value.events)} events in ${formatNumber(written.ms / 1000)} s)`,
    );
    const fromLog = await startOnce(config, database, schema, shape, true, 13);
    const noSnapshot = whyNoSnapshot(fromLog);
    const fromSnapshot =
      noSnapshot === undefined
        ? await startOnce(config, database, schema, shape, false, 14)
        : { failed: `no snapshot: ${noSnapshot}` };
    const rows = [
      ...startRows("start from the log", shape, fromLog),
      ...startRows("start from a snapshot", shape, fromSnapshot),
    ];
    return [
      ...rows,
      {
        section: "10",
        name: `writing the log of ${formatNumber(shape.images)} images (${formatNumber(written.value.events)} events) into PostgreSQL`,
        value: written.ms,
        unit: "ms",
        higherIsBetter: false,
        details: written.value,
      },
    ];
  } finally {
    // Its own schema, dropped at once (it is large); BENCH_KEEP_SCHEMAS=1 keeps it, as run.ts does the others.
    if (process.env.BENCH_KEEP_SCHEMAS !== "1")
      await database.withClient((client) => client.query(`drop schema if exists "${schema}" cascade`));
  }
}
