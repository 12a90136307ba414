/**
 * 6. Slow clients: the latency of database-backed requests (tags list, DescribeRepositories) on
 * PostgreSQL storage, and on memory beside it, while 200 clients trickle /v2 PATCH bodies, ECR bodies and headers a few bytes
 * at a time (slow-clients.ts), beside the same latency with no slow clients. The server runs in a
 * process of its own; the slow clients and the timed client share this one. Issue 14's target:
 * p99 ≤ 100 ms with 200 slow clients.
 */
import { startServer } from "./bench-server.js";
import type { BenchConfig } from "./config.js";
import { ecrClient } from "./ecr-client.js";
import { request } from "./http-client.js";
import { now, percentile } from "./measure.js";
import type { BenchDatabase } from "./postgres-schemas.js";
import type { Row } from "./report.js";
import { openSlowClients } from "./slow-clients.js";

const REPOSITORY = "bench/slow";
const TARGET_P99_MS = 100;

type Timings = { readonly tags: number[]; readonly describe: number[] };

/** The rows of every storage the bench server runs: PostgreSQL, and memory beside it. */
export async function benchSlowClients(bench: BenchConfig, database: BenchDatabase): Promise<Row[]> {
  const postgres = { url: database.url, schema: database.schema("slowclients") };
  return [
    ...(await benchSlowClientsOn(bench, "PostgreSQL", postgres)),
    ...(await benchSlowClientsOn(bench, "memory", undefined)),
  ];
}

async function benchSlowClientsOn(
  bench: BenchConfig,
  storageName: string,
  postgres: { readonly url: string; readonly schema: string } | undefined,
): Promise<Row[]> {
  const server = await startServer("berth", postgres);
  try {
    const call = ecrClient(server.endpoint);
    await call("CreateRepository", JSON.stringify({ repositoryName: REPOSITORY }));
    const tags = async () => {
      const answer = await request(`${server.endpoint}/v2/${REPOSITORY}/tags/list`, { method: "GET" });
      if (answer.status !== 200) throw new Error(`tags list answered ${answer.status}`);
    };
    const describe = () => call("DescribeRepositories", JSON.stringify({ repositoryNames: [REPOSITORY] }));
    /** Both calls in turn, `reps` times each, so drift falls on both alike. */
    const measure = async (reps: number): Promise<Timings> => {
      const timings: Timings = { tags: [], describe: [] };
      for (let i = 0; i < reps; i++) {
        for (const [name, op] of [
          ["tags", tags],
          ["describe", describe],
        ] as const) {
          const started = now();
          await op();
          timings[name].push(now() - started);
        }
      }
      return timings;
    };
    await measure(Math.max(20, bench.slowClientReps / 5)); // warm-up: JIT, pool connections
    const quiet = await measure(bench.slowClientReps);
    const counts = bench.slowClients;
    const total = counts.patches + counts.ecrBodies + counts.headers;
    const slow = await openSlowClients(server.endpoint, { repository: REPOSITORY, ...counts });
    let loaded: Timings;
    let stillOpen: number;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // every PATCH reaches its append
      loaded = await measure(bench.slowClientReps);
      stillOpen = slow.open();
    } finally {
      slow.close();
    }
    const rows: Row[] = [];
    for (const [name, label] of [
      ["tags", "/v2 tags list"],
      ["describe", "DescribeRepositories"],
    ] as const) {
      const row = (p: number, withSlow: boolean, limit?: Row["limit"], target?: number): Row => ({
        section: "6",
        name: `${label}, ${storageName}, p${p}, ${withSlow ? `${total} slow clients` : "no slow clients"}`,
        value: percentile(withSlow ? loaded[name] : quiet[name], p),
        unit: "ms",
        higherIsBetter: false,
        ...(limit === undefined ? {} : { limit }),
        ...(target === undefined ? {} : { target }),
        details: {
          calls: (withSlow ? loaded : quiet)[name].length,
          maxMs: Math.max(...(withSlow ? loaded : quiet)[name]),
          ...(withSlow ? { slowClients: counts, slowClientsStillOpen: stillOpen } : {}),
        },
      });
      const same = (p: number) => ({
        name: "same, no slow clients",
        value: percentile(quiet[name], p),
        unit: "ms",
      });
      rows.push(
        row(50, false),
        row(50, true, same(50)),
        row(99, false),
        row(99, true, { name: "issue 14 target", value: TARGET_P99_MS, unit: "ms" }, 1),
      );
    }
    return rows;
  } finally {
    await server.stop();
  }
}
