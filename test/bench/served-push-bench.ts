/**
 * 2 (part). The statements a `/v2` blob push sends to PostgreSQL: a Berth on PostgreSQL events and
 * file blobs, one client pushing small blobs as docker does (HEAD to ask, POST to open, one PATCH
 * with the bytes, PUT ?digest= to close), counted in the server process. Each request is one
 * statement at best; a read of the log before a request shows as more (six in all before pushes
 * were decided without reading: the create-on-push check and the chunk each read first). A count,
 * the same on any machine.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchServer, startBerthOn } from "./bench-server.js";
import type { BenchConfig } from "./config.js";
import { request } from "./http-client.js";
import type { BenchDatabase } from "./postgres-schemas.js";
import type { Row } from "./report.js";

const pushBlob = async (server: BenchServer, repository: string, n: number) => {
  const bytes = Buffer.alloc(4096, 0x2e);
  bytes.write(`served push ${n}`);
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  const base = `${server.endpoint}/v2/${repository}/blobs`;
  const expect = (what: string, status: number, answer: { status: number }) => {
    if (answer.status !== status) throw new Error(`${what}: HTTP ${answer.status}`);
  };
  expect("HEAD", 404, await request(`${base}/${digest}`, { method: "HEAD" }));
  const opened = await request(`${base}/uploads/`, { method: "POST" });
  expect("POST", 202, opened);
  const patched = await request(new URL(String(opened.headers.location), server.endpoint), {
    method: "PATCH",
    headers: { "content-type": "application/octet-stream" },
    body: bytes,
  });
  expect("PATCH", 202, patched);
  const closing = new URL(String(patched.headers.location), server.endpoint);
  closing.searchParams.set("digest", digest);
  expect("PUT", 201, await request(closing, { method: "PUT" }));
};

export async function benchServedPush(bench: BenchConfig, database: BenchDatabase): Promise<Row[]> {
  const blobDir = mkdtempSync(join(tmpdir(), "bench-served-push-"));
  const schema = database.schema("served_push");
  const server = await startBerthOn({ kind: "postgres-file", url: database.url, schema, blobDir });
  try {
    const repository = "bench/served-push";
    const pushes = bench.smoke ? 20 : 300;
    let n = 0;
    for (let i = 0; i < pushes / 10; i++) await pushBlob(server, repository, n++); // warm-up, and creates it
    const before = (await server.statementsSent?.()) ?? Number.NaN;
    for (let i = 0; i < pushes; i++) await pushBlob(server, repository, n++);
    const perBlob = (((await server.statementsSent?.()) ?? Number.NaN) - before) / pushes;
    return [
      {
        section: "2",
        name: "/v2 blob push (HEAD, POST, PATCH, PUT), PostgreSQL + files: statements sent per blob",
        value: perBlob,
        unit: "statements",
        higherIsBetter: false,
        limit: { name: "one per request", value: 4, unit: "statements" },
      },
    ];
  } finally {
    await server.stop();
    rmSync(blobDir, { recursive: true, force: true });
  }
}
