/**
 * 8. Bytes at disk speed: MB/s of whole blobs (100 MiB in a full run) pushed and pulled over /v2,
 * Berth beside the CNCF reference registry (distribution 2.8, filesystem storage) in the same run,
 * with the same client and the same calls for every server: a push is POST, one streamed PATCH (no
 * Content-Range, chunked, as docker and containers/image send a layer) and PUT ?digest=; a pull is
 * one GET read to its end. Berth runs on its default embedded storage and on PostgreSQL events
 * beside filesystem blobs; every server keeps its data in a temporary directory on the same disk.
 * Rounds interleave the servers, so a slow moment of the machine touches each of them alike.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/** GETs the blob and reads it to its end (counting, not keeping, the bytes). Resolves to ms. */
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

interface Contender {
  readonly name: string;
  readonly server: BenchServer;
  readonly push: number[];
  readonly pull: number[];
  /** The server's CPU milliseconds (all its threads) for each push. */
  readonly pushCpu: number[];
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
      contenders.push({ name, server: await start(), push: [], pull: [], pushCpu: [] });
    for (let round = -1; round < config.v2Blobs; round++) {
      for (const contender of contenders) {
        // A fresh blob for every push (the first round is the untimed warm-up), in a repository of its own.
        const blob = blobOf(shared, `${contender.name} blob ${round}`);
        const repository = `bench/v2-bytes-${round + 1}`;
        const cpuBefore = processCpuMs(contender.server.pid);
        const pushed = await push(contender.server.endpoint, repository, blob);
        const pushCpu = processCpuMs(contender.server.pid) - cpuBefore;
        const pulled = await pull(contender.server.endpoint, repository, blob);
        if (round >= 0) {
          contender.push.push(rate(pushed));
          contender.pull.push(rate(pulled));
          contender.pushCpu.push(pushCpu);
        }
      }
    }
  } finally {
    for (const contender of contenders) await contender.server.stop();
    rmSync(home, { recursive: true, force: true });
  }
  return v2Rows(config, contenders);
}

const v2Rows = (config: BenchConfig, contenders: ReadonlyArray<Contender>): Row[] => {
  const [distribution, ...berths] = contenders;
  if (distribution === undefined) return [];
  const size = `${config.v2BlobBytes / MiB} MiB blobs`;
  const labels: Record<string, string> = {
    distribution: "distribution 2.8 (filesystem)",
    embedded: "Berth, embedded storage",
    "postgres-file": "Berth, PostgreSQL events + file blobs",
  };
  const peer = { push: median(distribution.push), pull: median(distribution.pull) };
  const row = (contender: Contender, way: "push" | "pull", target?: number): Row => ({
    section: "8",
    name: `/v2 ${way}, ${labels[contender.name]}, ${size}`,
    value: median(contender[way]),
    unit: "MB/s",
    higherIsBetter: true,
    ...(target === undefined
      ? {}
      : {
          limit: { name: `distribution 2.8 ${way}`, value: peer[way], unit: "MB/s" },
          target,
        }),
    details: { perBlob: contender[way], blobs: config.v2Blobs, blobBytes: config.v2BlobBytes },
  });
  // The server's CPU per push tells a slow machine (every server slower, CPU alike) from a slow server.
  const cpuRow = (contender: Contender, limit?: Row["limit"]): Row => ({
    section: "8",
    name: `/v2 push, ${labels[contender.name]}: server CPU per blob`,
    value: median(contender.pushCpu),
    unit: "ms",
    higherIsBetter: false,
    ...(limit === undefined ? {} : { limit }),
    details: { perBlob: contender.pushCpu },
  });
  const peerCpu = { name: "distribution 2.8, the same", value: median(distribution.pushCpu), unit: "ms" };
  return [
    row(distribution, "push"),
    row(distribution, "pull"),
    cpuRow(distribution),
    ...berths.flatMap((berth) => [row(berth, "push", 1.5), row(berth, "pull", 1), cpuRow(berth, peerCpu)]),
  ];
};
