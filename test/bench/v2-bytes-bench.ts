/**
 * 8. Bytes at disk speed: MB/s of whole blobs (100 MiB in a full run) pushed and pulled over /v2,
 * Berth beside the CNCF reference registry (distribution 2.8, filesystem storage) in the same run,
 * with the same clients and the same calls for every server: a push is POST, one streamed PATCH (no
 * Content-Range, chunked, as docker and containers/image send a layer) and PUT ?digest=, from this
 * process; a pull is one GET read to its end by curl. Node's client reads a pull with more than a
 * core of its own (a fresh 64 KiB buffer per read, and collecting them) while either server needs a
 * fraction of one (a probe: 290–310 ms of client CPU per 100 MiB, 50–70 ms of server CPU), so its
 * figure is the client's more than the server's: printed beside curl's, for reference.
 * Berth runs on its default embedded storage and on PostgreSQL events beside filesystem blobs;
 * every server keeps its data in a temporary directory on the same disk, and each blob's files are
 * removed once its round is done (removeBlobFiles). Rounds interleave the servers, so a slow moment
 * of the machine touches each of them alike.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type BenchServer, startBerthOn } from "./bench-server.js";
import type { BenchConfig } from "./config.js";
import { startDistribution } from "./distribution-process.js";
import { request } from "./http-client.js";
import { MB, MiB, median, now, processCpuMs } from "./measure.js";
import type { BenchDatabase } from "./postgres-schemas.js";
import type { Row } from "./report.js";

/** How much the client hands the socket at a time while it streams a PATCH body. */
const WRITE_BYTES = 1 * MiB;

interface Blob {
  readonly bytes: Buffer;
  readonly digest: string;
}

export const blobOf = (shared: Buffer, label: string): Blob => {
  const bytes = Buffer.from(shared);
  bytes.write(`${label} `, "utf8");
  return { bytes, digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}` };
};

/** PATCH with a body written in WRITE_BYTES pieces, chunked, waiting on the socket as it drains. */
const streamPatch = (url: URL, body: Buffer): Promise<{ status: number; location?: string }> =>
  new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: "PATCH", headers: { "content-type": "application/octet-stream" } },
      (response) => {
        response.resume();
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            ...(response.headers.location === undefined ? {} : { location: response.headers.location }),
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    let offset = 0;
    const write = () => {
      while (offset < body.byteLength) {
        const piece = body.subarray(offset, offset + WRITE_BYTES);
        offset += piece.byteLength;
        if (!outgoing.write(piece)) return void outgoing.once("drain", write);
      }
      outgoing.end();
    };
    write();
  });

/** Pushes one blob as a real client does: POST, streamed PATCH, PUT ?digest=. Resolves to ms. */
export const push = async (endpoint: string, repository: string, blob: Blob): Promise<number> => {
  const started = now();
  const opened = await request(`${endpoint}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  if (opened.status !== 202 || opened.headers.location === undefined)
    throw new Error(`${endpoint} POST upload: HTTP ${opened.status}: ${opened.body}`);
  const patched = await streamPatch(new URL(opened.headers.location, endpoint), blob.bytes);
  if (patched.status !== 202 || patched.location === undefined)
    throw new Error(`${endpoint} PATCH: HTTP ${patched.status}`);
  const url = new URL(patched.location, endpoint);
  url.searchParams.set("digest", blob.digest);
  const closed = await request(url, { method: "PUT" });
  if (closed.status !== 201)
    throw new Error(`${endpoint} PUT ?digest=: HTTP ${closed.status}: ${closed.body}`);
  return now() - started;
};

/** GETs the blob with Node's client and reads it to its end (counting, not keeping, the bytes). Resolves to ms. */
export const pull = (endpoint: string, repository: string, blob: Blob): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = now();
    const outgoing = httpRequest(`${endpoint}/v2/${repository}/blobs/${blob.digest}`, (response) => {
      let received = 0;
      response.on("data", (chunk: Buffer) => {
        received += chunk.byteLength;
      });
      response.on("end", () => {
        const ms = now() - started;
        if (response.statusCode !== 200 || received !== blob.bytes.byteLength)
          reject(new Error(`${endpoint} GET blob: HTTP ${response.statusCode}, ${received} bytes`));
        else resolve(ms);
      });
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end();
  });

/**
 * GETs the blob with curl, which writes it to /dev/null. Resolves to curl's own time from its connect
 * to the last byte (`%{time_total}`: the process's start is the bench's cost, not the server's).
 */
export const curlPull = async (endpoint: string, repository: string, blob: Blob): Promise<number> => {
  const url = `${endpoint}/v2/${repository}/blobs/${blob.digest}`;
  const { stdout } = await promisify(execFile)("curl", [
    ...["--silent", "--show-error", "--output", "/dev/null"],
    ...["--write-out", "%{http_code} %{size_download} %{time_total}", url],
  ]);
  const [status, size, seconds] = stdout.trim().split(" ");
  if (status !== "200" || Number(size) !== blob.bytes.byteLength)
    throw new Error(`${endpoint} GET blob with curl: HTTP ${status}, ${size} bytes`);
  return Number(seconds) * 1000;
};

/** One push, then a pull by curl and one by Node's client: ms of each, and the server's CPU ms. */
const pushAndPull = async ({ endpoint, pid }: BenchServer, repository: string, blob: Blob) => {
  let cpuBefore = processCpuMs(pid);
  const pushed = await push(endpoint, repository, blob);
  const pushCpu = processCpuMs(pid) - cpuBefore;
  cpuBefore = processCpuMs(pid);
  const pulled = await curlPull(endpoint, repository, blob);
  const pullCpu = processCpuMs(pid) - cpuBefore;
  const nodePull = await pull(endpoint, repository, blob);
  return { push: pushed, pushCpu, pull: pulled, pullCpu, nodePull };
};

/**
 * Deletes the files that hold `blob` under `home` (each server's data lives there), behind the
 * servers' backs: no later round reads them. This keeps the section's page cache at one blob's
 * size. On the VMs of these runs, memory the guest has freed goes back to the host within seconds,
 * and the first write to each page of it costs about 2.5 ms of system time per MiB, ten times a
 * write into a page in use (dd, docs/BENCHMARKS.md): a page cache growing by 1.8 GB made the last
 * rounds of every server, distribution's too, cost twice the CPU, whichever happened to run then.
 */
const removeBlobFiles = (home: string, blob: Blob): void => {
  const hex = blob.digest.slice("sha256:".length);
  const files = readdirSync(home, { recursive: true, encoding: "utf8" })
    .filter((path) => path.includes(hex))
    .map((path) => join(home, path))
    .filter((file) => {
      const stats = statSync(file);
      return stats.isFile() && stats.size === blob.bytes.byteLength;
    });
  if (files.length === 0)
    throw new Error(`no file of ${blob.digest} under ${home}: did a server's layout change?`);
  for (const file of files) rmSync(file);
};

interface Contender {
  readonly name: string;
  readonly server: BenchServer;
  readonly push: number[];
  readonly pull: number[];
  readonly nodePull: number[];
  /** The server's CPU milliseconds (all its threads) for each push and each pull by curl. */
  readonly pushCpu: number[];
  readonly pullCpu: number[];
}

export async function benchV2Bytes(config: BenchConfig, database: BenchDatabase): Promise<Row[]> {
  const shared = randomBytes(config.v2BlobBytes);
  const rate = (ms: number) => config.v2BlobBytes / MB / (ms / 1000);
  const home = mkdtempSync(join(tmpdir(), "bench-v2-bytes-"));
  const contenders: Contender[] = [];
  try {
    const servers: Array<[string, () => Promise<BenchServer>]> = [
      ["distribution", () => startDistribution(home)],
      ["embedded", () => startBerthOn({ kind: "embedded", dataDir: join(home, "embedded") })],
      [
        "postgres-file",
        () =>
          startBerthOn({
            kind: "postgres-file",
            url: database.url,
            schema: database.schema("v2_bytes"),
            blobDir: join(home, "postgres-file-blobs"),
          }),
      ],
    ];
    for (const [name, start] of servers)
      contenders.push({
        name,
        server: await start(),
        push: [],
        pull: [],
        nodePull: [],
        pushCpu: [],
        pullCpu: [],
      });
    for (let round = -1; round < config.v2Blobs; round++) {
      for (const contender of contenders) {
        // A fresh blob for every push (the first round is the untimed warm-up), in a repository of its own.
        const blob = blobOf(shared, `${contender.name} blob ${round}`);
        const measured = await pushAndPull(contender.server, `bench/v2-bytes-${round + 1}`, blob);
        removeBlobFiles(home, blob);
        if (round < 0) continue;
        for (const key of ["push", "pull", "nodePull", "pushCpu", "pullCpu"] as const)
          contender[key].push(key.endsWith("Cpu") ? measured[key] : rate(measured[key]));
      }
    }
  } finally {
    for (const contender of contenders) await contender.server.stop();
    rmSync(home, { recursive: true, force: true });
  }
  return v2Rows(config, contenders);
}

const labels: Record<string, string> = {
  distribution: "distribution 2.8 (filesystem)",
  embedded: "Berth, embedded storage",
  "postgres-file": "Berth, PostgreSQL events + file blobs",
};

const v2Rows = (config: BenchConfig, contenders: ReadonlyArray<Contender>): Row[] => {
  const [distribution, ...berths] = contenders;
  if (distribution === undefined) return [];
  const size = `${config.v2BlobBytes / MiB} MiB blobs`;
  const names = { push: "push", pull: "pull (curl)", nodePull: "pull (Node's client)" };
  type Way = keyof typeof names;
  const rateRow = (contender: Contender, way: Way, target?: number): Row => ({
    section: "8",
    name: `/v2 ${names[way]}, ${labels[contender.name]}, ${size}`,
    value: median(contender[way]),
    unit: "MB/s",
    higherIsBetter: true,
    ...(contender === distribution
      ? {}
      : {
          limit: { name: `distribution 2.8 ${names[way]}`, value: median(distribution[way]), unit: "MB/s" },
        }),
    ...(target === undefined ? {} : { target }),
    details: { perBlob: contender[way], blobs: config.v2Blobs, blobBytes: config.v2BlobBytes },
  });
  // The server's CPU per blob tells a slow machine (every server slower, CPU alike) from a slow server.
  const cpuRow = (contender: Contender, way: "pushCpu" | "pullCpu"): Row => ({
    section: "8",
    name: `/v2 ${way === "pushCpu" ? "push" : "pull (curl)"}, ${labels[contender.name]}: server CPU per blob`,
    value: median(contender[way]),
    unit: "ms",
    higherIsBetter: false,
    ...(contender === distribution
      ? {}
      : { limit: { name: "distribution 2.8, the same", value: median(distribution[way]), unit: "ms" } }),
    details: { perBlob: contender[way] },
  });
  const rows = (contender: Contender, targets: { push?: number; pull?: number }) => [
    rateRow(contender, "push", targets.push),
    cpuRow(contender, "pushCpu"),
    rateRow(contender, "pull", targets.pull),
    cpuRow(contender, "pullCpu"),
    rateRow(contender, "nodePull"),
  ];
  return [...rows(distribution, {}), ...berths.flatMap((berth) => rows(berth, { push: 1.5, pull: 1 }))];
};
