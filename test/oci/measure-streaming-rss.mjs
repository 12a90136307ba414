#!/usr/bin/env node
/**
 * Measures the peak resident memory of a Berth server process while a large blob is pushed and
 * pulled through /v2 (one streamed PATCH, PUT ?digest=, then a streamed GET hashed by the client).
 * Not a test (it needs the built server and takes a while); run it by hand:
 *
 *   pnpm exec tsc -b packages/server
 *   node test/oci/measure-streaming-rss.mjs --storage memory --mib 1024
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node test/oci/measure-streaming-rss.mjs --storage postgres --mib 1024
 *
 * The server runs in a child process (`serve()` from packages/server/dist), so the client's own
 * memory is not counted. Peaks come from /proc/<pid>/status VmHWM, reset between push and pull by
 * writing 5 to /proc/<pid>/clear_refs; VmRSS is also sampled every 50 ms. Memory storage keeps the
 * blob itself in the process, so its figures include the blob.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    storage: { type: "string", default: "memory" },
    mib: { type: "string", default: process.env.BERTH_BLOB_MIB ?? "1024" },
    "database-url": { type: "string", default: process.env.DATABASE_URL },
  },
});
const storage = values.storage;
const MiB = 1024 * 1024;
const size = Number(values.mib) * MiB + 12_345;
if (storage !== "memory" && storage !== "postgres") throw new Error("--storage memory|postgres");
if (storage === "postgres" && !values["database-url"])
  throw new Error("--storage postgres needs DATABASE_URL or --database-url");

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const serverModule = pathToFileURL(join(root, "packages", "server", "dist", "cli", "berth.js")).href;
const schema = `berth_rss_${randomBytes(4).toString("hex")}`;
const dataDir = await mkdtemp(join(tmpdir(), "berth-rss-"));

const memoryOf = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { hwm: kib("VmHWM") * 1024, rss: kib("VmRSS") * 1024 };
};
const resetPeak = (pid) => {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
};
const mib = (bytes) => `${(bytes / MiB).toFixed(0)} MiB`;

/** Each MiB a fixed random MiB stamped with its index (as test/support/oci-stream.ts). */
function* chunks() {
  const base = randomBytesSeeded(MiB);
  for (let offset = 0, i = 0; offset < size; offset += MiB, i++) {
    const chunk = base.slice(0, Math.min(MiB, size - offset));
    new DataView(chunk.buffer).setUint32(0, i, true);
    yield chunk;
  }
}
function randomBytesSeeded(length) {
  const bytes = new Uint8Array(length);
  let x = 2654435761 >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

const options = {
  host: "127.0.0.1",
  port: 0,
  region: "us-east-1",
  registryId: "000000000000",
  storage,
  dataDir,
  logLevel: "silent",
  lenient: false,
  createOnPush: true,
  ...(storage === "postgres" ? { databaseUrl: values["database-url"], databaseSchema: schema } : {}),
};
const child = spawn(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `const { serve } = await import(${JSON.stringify(serverModule)});
     const running = await serve(${JSON.stringify(options)});
     process.stdout.write(JSON.stringify({ port: running.port }) + "\\n");`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const port = await new Promise((resolvePort, reject) => {
  let out = "";
  child.stdout.on("data", (data) => {
    out += data;
    const line = out.split("\n").find((l) => l.startsWith("{"));
    if (line !== undefined) resolvePort(JSON.parse(line).port);
  });
  child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
});
const endpoint = `http://127.0.0.1:${port}`;
const pid = child.pid;

let sampledPeak = 0;
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, memoryOf(pid).rss);
}, 50);

const results = { storage, blob: mib(size), sizeBytes: size };
try {
  results.idle = memoryOf(pid);
  const resettable = resetPeak(pid);
  results.peakResettable = resettable;

  // Push: POST, one streamed PATCH, PUT ?digest=.
  let started = performance.now();
  const post = await fetch(`${endpoint}/v2/big/blob/blobs/uploads/`, { method: "POST" });
  if (post.status !== 202) throw new Error(`POST ${post.status} ${await post.text()}`);
  const location = new URL(post.headers.get("location"), endpoint);
  const hash = createHash("sha256");
  const source = chunks();
  const body = new ReadableStream({
    pull(controller) {
      const next = source.next();
      if (next.done) controller.close();
      else {
        hash.update(next.value);
        controller.enqueue(next.value);
      }
    },
  });
  sampledPeak = 0;
  const patch = await fetch(location, {
    method: "PATCH",
    body,
    duplex: "half",
    headers: { "content-type": "application/octet-stream" },
  });
  if (patch.status !== 202) throw new Error(`PATCH ${patch.status} ${await patch.text()}`);
  const digest = `sha256:${hash.digest("hex")}`;
  location.searchParams.set("digest", digest);
  const put = await fetch(location, { method: "PUT" });
  if (put.status !== 201) throw new Error(`PUT ${put.status} ${await put.text()}`);
  results.push = {
    seconds: (performance.now() - started) / 1000,
    ...memoryOf(pid),
    sampledPeakRss: sampledPeak,
  };

  // Pull: a streamed GET hashed on the way.
  if (resettable) resetPeak(pid);
  sampledPeak = 0;
  started = performance.now();
  const get = await fetch(`${endpoint}/v2/big/blob/blobs/${digest}`);
  const pulled = createHash("sha256");
  let received = 0;
  for await (const piece of get.body) {
    pulled.update(piece);
    received += piece.length;
  }
  const pulledDigest = `sha256:${pulled.digest("hex")}`;
  if (pulledDigest !== digest || received !== size)
    throw new Error(`pulled ${received} bytes, ${pulledDigest} != ${digest}`);
  results.pull = {
    seconds: (performance.now() - started) / 1000,
    ...memoryOf(pid),
    sampledPeakRss: sampledPeak,
  };
  results.digest = digest;
} finally {
  clearInterval(sampler);
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await rm(dataDir, { recursive: true, force: true });
  if (storage === "postgres") {
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: values["database-url"] });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}

const row = (label, m) =>
  `${label}: ${m.seconds.toFixed(1)} s, peak RSS (VmHWM) ${mib(m.hwm)}, sampled peak ${mib(m.sampledPeakRss)}, RSS after ${mib(m.rss)}`;
console.log(
  `${storage}, blob ${results.blob}: idle RSS ${mib(results.idle.rss)} (peak reset: ${results.peakResettable})`,
);
console.log(row("push", results.push));
console.log(row("pull", results.pull));
console.log(JSON.stringify(results));
