/**
 * 7. The embedded default (issue 13, `--storage embedded`: SQLite + files). `berth serve` as a new
 * process on a fresh data directory, timed from the spawn to its first answer (GET /v2/), and its
 * resident memory once it has answered and settled; then PutImage through the engine on the same
 * stores, SQLite events and filesystem blobs, in a data directory of its own. The limits are the
 * issue's targets: 1 s, 150 MB, 2,000 PutImage/s. PutImage on memory, measured in the same rounds,
 * is kept in the details: what the engine does with no storage at all, on this machine, now; so
 * is a bare `node -e 0`'s start beside the first answer's.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFilesystemBlobStore } from "@berth/adapter-filesystem";
import { openSqliteEventStore } from "@berth/adapter-sqlite";
import { createRegistry } from "@berth/engine";
import type { BenchConfig } from "./config.js";
import { createRepository, memoryRegistry, putImage, uploadImageBlobs } from "./engine-fixtures.js";
import { interleaved, MB, median, now, throughput } from "./measure.js";
import type { Row } from "./report.js";

/** The bundled CLI: what `pnpm start` runs. */
const berth = fileURLToPath(new URL("../../../packages/server/dist/bundle/berth.js", import.meta.url));

/** Resident set size of a live process, from Linux's /proc (bytes). */
const residentBytes = (pid: number): number => {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
};

/** One `berth serve` on a fresh data directory: ms from spawn to first answer, then bytes resident. */
const startOnce = async (settleMs: number): Promise<{ firstAnswerMs: number; residentBytes: number }> => {
  const dataDir = await mkdtemp(join(tmpdir(), "berth-bench-embedded-"));
  const started = now();
  // Run as `pnpm start` runs it: the file itself, whose `#!` line starts Node with BERTH_NODE_FLAGS.
  const child = spawn(berth, ["serve", "--port", "0", "--data-dir", dataDir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const listening = /"url":"([^"]+)"/.exec(output);
        if (listening?.[1] !== undefined) resolve(listening[1]);
      });
      child.once("exit", (code) => reject(new Error(`berth serve exited with ${code} before listening`)));
    });
    const answer = await fetch(`${url}/v2/`);
    await answer.arrayBuffer();
    const firstAnswerMs = now() - started;
    if (answer.status !== 200) throw new Error(`GET /v2/ answered ${answer.status}`);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { firstAnswerMs, residentBytes: residentBytes(child.pid!) };
  } finally {
    const exited = child.exitCode === null ? once(child, "exit") : Promise.resolve();
    child.kill("SIGTERM");
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
};

/** Milliseconds from spawning a bare `node -e 0` to its exit: the floor of any process start, now. */
const bareNodeStart = async (): Promise<number> => {
  const started = now();
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  await once(child, "exit");
  return now() - started;
};

/** PutImage/s through createRegistry on SQLite + files, and on memory, in interleaved rounds. */
const putImageRates = async (config: BenchConfig) => {
  const dataDir = await mkdtemp(join(tmpdir(), "berth-bench-sqlite-"));
  // As --storage embedded opens it.
  const events = await openSqliteEventStore({ path: join(dataDir, "berth.sqlite"), exclusive: true });
  const blobs = createFilesystemBlobStore({ directory: join(dataDir, "blobs") });
  try {
    const onSqlite = createRegistry({ events, blobs });
    const onMemory = memoryRegistry().registry;
    const loops = await Promise.all(
      [onSqlite, onMemory].map(async (registry, i) => {
        const repository = await createRepository(registry, `bench/embedded-${i}`);
        const images = await uploadImageBlobs(registry, repository);
        let n = 0;
        const put = () => putImage(registry, repository, images, n++);
        await throughput(put, { seconds: config.warmupSeconds / 2 });
        return async () => (await throughput(put, { seconds: config.commandSeconds })).perSecond;
      }),
    );
    return await interleaved(config.rounds, { sqlite: loops[0]!, memory: loops[1]! });
  } finally {
    await Promise.all([events.close(), blobs.close()]);
    await rm(dataDir, { recursive: true, force: true });
  }
};

export async function benchEmbedded(config: BenchConfig): Promise<Row[]> {
  const starts = [];
  const bareNode = [];
  for (let i = 0; i < (config.smoke ? 1 : 5); i++) {
    starts.push(await startOnce(config.smoke ? 100 : 1_000));
    bareNode.push(await bareNodeStart());
  }
  const firstAnswers = starts.map((start) => start.firstAnswerMs);
  const resident = starts.map((start) => start.residentBytes / MB);
  const puts = await putImageRates(config);
  const target = (value: number, unit: string) => ({ name: "issue 13 target", value, unit });
  return [
    {
      section: "7",
      name: "embedded: process start → first answer, fresh data dir",
      value: median(firstAnswers),
      unit: "ms",
      higherIsBetter: false,
      limit: target(1_000, "ms"),
      target: 1,
      details: { samples: firstAnswers, bareNodeStartMs: bareNode },
    },
    {
      section: "7",
      name: "embedded: resident memory after start",
      value: median(resident),
      unit: "MB",
      higherIsBetter: false,
      limit: target(150, "MB"),
      target: 1,
      details: { samples: resident },
    },
    {
      section: "7",
      name: "PutImage, engine on SQLite + files",
      value: puts.sqlite.median,
      unit: "ops/s",
      higherIsBetter: true,
      limit: target(2_000, "ops/s"),
      target: 1,
      details: { samples: puts.sqlite.samples, memorySamples: puts.memory.samples },
    },
  ];
}
